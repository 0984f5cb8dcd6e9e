# Shared by scripts/run and scripts/test: installs what is missing, says what
# it does, and changes nothing that is already there. Sourced, not executed.

# The Debian packages each command needs (curl and jq: the README's sessions,
# which tests/e2e/test_readme.py runs; chromium: the dashboard's browser test,
# tests/browser, drives Debian's build; postgresql-15-postgis-3: PostgREST's
# spec fixture, which the conformance suite loads into the database engine,
# creates postgis as Supabase's databases have it).
MOCK_BUILD_PACKAGES="cmake gcc make pkg-config libuv1-dev libcjson-dev node-llhttp libssl-dev libpq-dev libpg-query-dev libstemmer-dev"
MOCK_TEST_PACKAGES="libcmocka-dev postgresql-15 postgresql-15-postgis-3 python3 valgrind clang libclang-rt-14-dev nodejs npm curl jq chromium"

mock_say() {
    printf '==> %s\n' "$*"
}

# Installs the Debian packages in "$@" that are not installed yet.
mock_apt_install() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$pkg")
    done
    # A Node.js from elsewhere (the machine image's) satisfies nodejs/npm.
    if command -v node >/dev/null 2>&1; then
        missing=("${missing[@]/nodejs/}")
    fi
    if command -v npm >/dev/null 2>&1; then
        missing=("${missing[@]/npm/}")
    fi
    local wanted=()
    for pkg in "${missing[@]}"; do
        [ -n "$pkg" ] && wanted+=("$pkg")
    done
    if [ "${#wanted[@]}" -eq 0 ]; then
        mock_say "Debian packages present: $*"
        return 0
    fi
    # Root, or a user with password-less sudo (a GitHub Actions runner).
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            echo "missing packages: ${wanted[*]} (run as root, or install them with apt-get)" >&2
            return 1
        fi
    fi
    mock_say "apt-get install ${wanted[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${wanted[@]}"
}

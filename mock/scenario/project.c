/* Reading a Supabase project folder: config.toml, the migrations and seed
 * files, and supamock.json. */
#include "project.h"

#include "glob.h"
#include "jsonc.h"
#include "toml.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* config.toml and supamock.json are small; a larger one is refused. */
#define PROJECT_MAX_CONFIG_BYTES (1u << 20)

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reads a regular file of at most max bytes; NULL with err on failure. */
static char *read_text(const char *path, size_t max, size_t *len, scenario_error_t *err)
{
    scenario_pos_t none = {.file = path};
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        scenario_error_at(err, none, "cannot read (a regular file up to %zu bytes): %s", max,
                          fd < 0 ? strerror(errno) : "too large or not a file");
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *text = xmalloc(size + 1);
    while (got < size) {
        ssize_t n = read(fd, text + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    text[got] = '\0';
    *len = got;
    return text;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(project_t *p, char *path, scenario_error_t *err)
{
    if (p->sql_file_count >= PROJECT_MAX_SQL_FILES) {
        scenario_error_at(err, (scenario_pos_t){.file = p->dir}, "more than %d SQL files",
                          PROJECT_MAX_SQL_FILES);
        free(path);
        return -1;
    }
    p->sql_files = xrealloc(p->sql_files, (p->sql_file_count + 1) * sizeof *p->sql_files);
    p->sql_files[p->sql_file_count++] = path;
    return 0;
}

/* The entries of folder `dir` whose names match pattern, sorted. */
static int list_matching(project_t *p, const char *dir, const char *pattern, scenario_error_t *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !glob_match(pattern, e->d_name))
            continue;
        if (n >= PROJECT_MAX_SQL_FILES) {
            scenario_error_at(err, (scenario_pos_t){.file = dir}, "more than %d SQL files",
                              PROJECT_MAX_SQL_FILES);
            rc = -1;
            break;
        }
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        free(names[i]);
        if (rc == 0 && is_file(path))
            rc = add_file(p, path, err);
        else
            free(path);
    }
    free(names);
    return rc;
}

/* A seed path from [db.seed] sql_paths: "./seed.sql", "seeds/NAME*.sql". The
 * glob is on the last component only (what the CLI's examples use). */
static int add_seed(project_t *p, const char *rel, scenario_error_t *err)
{
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    if (rel[0] == '/' || strstr(rel, "..")) {
        scenario_error_at(err, (scenario_pos_t){.file = p->dir},
                          "[db.seed] sql_paths must stay inside supabase/, not \"%s\"", rel);
        return -1;
    }
    const char *slash = strrchr(rel, '/');
    char *sub = slash ? xstrndup(rel, (size_t)(slash - rel)) : xstrdup("");
    const char *pattern = slash ? slash + 1 : rel;
    char *dir = *sub ? xasprintf("%s/%s", p->dir, sub) : xstrdup(p->dir);
    int rc = 0;
    if (strchr(pattern, '*')) {
        rc = list_matching(p, dir, pattern, err);
    } else {
        char *path = xasprintf("%s/%s", dir, pattern);
        if (is_file(path))
            rc = add_file(p, path, err);
        else
            free(path);
    }
    free(sub);
    free(dir);
    return rc;
}

static const cJSON *at(const cJSON *root, const char *table, const char *key)
{
    const cJSON *t = root;
    char buf[64];
    const char *s = table;
    while (s && *s) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        snprintf(buf, sizeof buf, "%.*s", (int)n, s);
        t = cJSON_GetObjectItemCaseSensitive(t, buf);
        if (!cJSON_IsObject(t))
            return NULL;
        s = dot ? dot + 1 : NULL;
    }
    return cJSON_GetObjectItemCaseSensitive(t, key);
}

static int wrong_type(const char *file, const char *table, const char *key, const char *want,
                      scenario_error_t *err)
{
    scenario_error_at(err, (scenario_pos_t){.file = file}, "[%s] %s must be %s", table, key, want);
    return -1;
}

static int string_list(const char *file, const cJSON *v, const char *table, const char *key,
                       char ***out, size_t *n, scenario_error_t *err)
{
    if (!cJSON_IsArray(v))
        return wrong_type(file, table, key, "an array of strings", err);
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        if (!cJSON_IsString(e))
            return wrong_type(file, table, key, "an array of strings", err);
    }
    size_t count = (size_t)cJSON_GetArraySize(v);
    *out = xcalloc(count ? count : 1, sizeof **out);
    *n = 0;
    cJSON_ArrayForEach(e, v)(*out)[(*n)++] = xstrdup(e->valuestring);
    return 0;
}

static int read_config(project_t *p, const char *path, scenario_error_t *err)
{
    size_t len = 0;
    char *text = read_text(path, PROJECT_MAX_CONFIG_BYTES, &len, err);
    if (!text)
        return -1;
    toml_error_t terr;
    cJSON *root = toml_parse(text, len, &terr);
    free(text);
    if (!root) {
        scenario_error_at(err, (scenario_pos_t){.file = path, .line = terr.line, .col = terr.col},
                          "%s", terr.message);
        return -1;
    }
    int rc = 0;
    const cJSON *v;
    if ((v = at(root, NULL, "project_id")) && cJSON_IsString(v) && *v->valuestring) {
        free(p->name);
        p->name = xstrdup(v->valuestring);
    }
    if (rc == 0 && (v = at(root, "api", "schemas"))) {
        rc = string_list(path, v, "api", "schemas", &p->schemas, &p->schema_count, err);
        p->has_schemas = rc == 0;
        if (rc == 0 && p->schema_count == 0)
            rc = wrong_type(path, "api", "schemas", "a non-empty array of strings", err);
    }
    if (rc == 0 && (v = at(root, "api", "extra_search_path"))) {
        char **parts = NULL;
        size_t n = 0;
        rc = string_list(path, v, "api", "extra_search_path", &parts, &n, err);
        if (rc == 0) {
            size_t total = 1;
            for (size_t i = 0; i < n; i++)
                total += strlen(parts[i]) + 2;
            free(p->extra_search_path);
            p->extra_search_path = xcalloc(1, total);
            for (size_t i = 0; i < n; i++) {
                if (i)
                    strcat(p->extra_search_path, ", ");
                strcat(p->extra_search_path, parts[i]);
            }
        }
        for (size_t i = 0; i < n; i++)
            free(parts[i]);
        free(parts);
    }
    if (rc == 0 && (v = at(root, "api", "max_rows"))) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 0)
            rc = wrong_type(path, "api", "max_rows", "a non-negative integer", err);
        p->max_rows = (int64_t)v->valuedouble;
        p->has_max_rows = rc == 0;
    }
    if (rc == 0 && (v = at(root, "auth", "jwt_expiry"))) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 1)
            rc = wrong_type(path, "auth", "jwt_expiry", "a positive integer", err);
        p->jwt_expiry = (int64_t)v->valuedouble;
        p->has_jwt_expiry = rc == 0;
    }
    if (rc == 0 && (v = at(root, "auth", "enable_signup"))) {
        if (!cJSON_IsBool(v))
            rc = wrong_type(path, "auth", "enable_signup", "true or false", err);
        p->enable_signup = cJSON_IsTrue(v);
        p->has_enable_signup = rc == 0;
    }
    if (rc == 0 && (v = at(root, "auth.email", "enable_confirmations"))) {
        if (!cJSON_IsBool(v))
            rc = wrong_type(path, "auth.email", "enable_confirmations", "true or false", err);
        p->enable_confirmations = cJSON_IsTrue(v);
        p->has_enable_confirmations = rc == 0;
    }
    if (rc == 0 && (v = at(root, "db", "major_version"))) {
        if (!cJSON_IsNumber(v))
            rc = wrong_type(path, "db", "major_version", "an integer", err);
        p->major_version = (int64_t)v->valuedouble;
    }
    bool seed = true;
    if (rc == 0 && (v = at(root, "db.seed", "enabled"))) {
        if (!cJSON_IsBool(v))
            rc = wrong_type(path, "db.seed", "enabled", "true or false", err);
        seed = cJSON_IsTrue(v);
    }
    if (rc == 0 && (v = at(root, "db.seed", "sql_paths"))) {
        char **paths = NULL;
        size_t n = 0;
        rc = string_list(path, v, "db.seed", "sql_paths", &paths, &n, err);
        /* Checked here; seeds are collected after the migrations (add_seeds). */
        (void)seed;
        for (size_t i = 0; i < n; i++)
            free(paths[i]);
        free(paths);
    }
    cJSON_Delete(root);
    return rc;
}

/* The seed paths config.toml names (default ./seed.sql), or none when
 * [db.seed] enabled = false. Read again after the migrations are listed,
 * so seed files come last. */
static int add_seeds(project_t *p, const char *config, scenario_error_t *err)
{
    cJSON *root = NULL;
    if (config) {
        size_t len = 0;
        char *text = read_text(config, PROJECT_MAX_CONFIG_BYTES, &len, err);
        if (!text)
            return -1;
        toml_error_t terr;
        root = toml_parse(text, len, &terr);
        free(text);
    }
    const cJSON *enabled = at(root, "db.seed", "enabled");
    const cJSON *paths = at(root, "db.seed", "sql_paths");
    int rc = 0;
    if (!cJSON_IsFalse(enabled)) {
        if (cJSON_IsArray(paths)) {
            const cJSON *e;
            cJSON_ArrayForEach(e, paths)
            {
                if (rc == 0 && cJSON_IsString(e))
                    rc = add_seed(p, e->valuestring, err);
            }
        } else {
            rc = add_seed(p, "seed.sql", err);
        }
    }
    cJSON_Delete(root);
    return rc;
}

int project_load(const char *dir, project_t **out, scenario_error_t *err)
{
    *out = NULL;
    scenario_pos_t none = {.file = dir};
    char *supa = xasprintf("%s/supabase", dir);
    char *base = xstrdup(dir);
    if (!is_dir(supa)) {
        free(supa);
        supa = xstrdup(dir);
    }
    char *config = xasprintf("%s/config.toml", supa);
    char *migrations = xasprintf("%s/migrations", supa);
    if (!is_dir(dir) || (!is_file(config) && !is_dir(migrations))) {
        scenario_error_at(err, none,
                          "not a Supabase project folder (no supabase/config.toml and no "
                          "supabase/migrations/)");
        free(supa);
        free(base);
        free(config);
        free(migrations);
        return -1;
    }
    project_t *p = xcalloc(1, sizeof *p);
    p->dir = supa;
    p->extra_search_path = xstrdup("public, extensions");
    /* The folder's name: the project's if it holds supabase/, else its parent's. */
    char *trim = base;
    size_t bl = strlen(trim);
    while (bl > 1 && trim[bl - 1] == '/')
        trim[--bl] = '\0';
    const char *slash = strrchr(trim, '/');
    p->name = xstrdup(slash ? slash + 1 : trim);
    bool has_config = is_file(config);
    int rc = has_config ? read_config(p, config, err) : 0;
    if (rc == 0)
        rc = list_matching(p, migrations, "*.sql", err);
    p->migration_count = p->sql_file_count;
    if (rc == 0)
        rc = add_seeds(p, has_config ? config : NULL, err);
    char *json = xasprintf("%s/supamock.json", base);
    if (!is_file(json)) {
        free(json);
        json = xasprintf("%s/supamock.json", supa);
    }
    if (is_file(json))
        p->supamock_json = json;
    else
        free(json);
    free(base);
    free(config);
    free(migrations);
    if (rc < 0) {
        project_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

void project_free(project_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->sql_file_count; i++)
        free(p->sql_files[i]);
    free(p->sql_files);
    for (size_t i = 0; i < p->schema_count; i++)
        free(p->schemas[i]);
    free(p->schemas);
    free(p->dir);
    free(p->name);
    free(p->supamock_json);
    free(p->extra_search_path);
    free(p);
}

/* Does supamock.json set postgrest.KEY or auth.KEY itself? */
static bool json_sets(const cJSON *root, const char *section, const char *key)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, section);
    return cJSON_IsObject(s) && cJSON_GetObjectItemCaseSensitive(s, key) != NULL;
}

/* The memory engine's scenario of a project: a scenario file beside
 * supamock.json (or in supabase/ when there is none) that extends
 * supamock.json and names the project's SQL files, relative to it, in the
 * order `supabase db reset` runs them. */
static int memory_scenario(const project_t *p, scenario_t **out, scenario_error_t *err)
{
    char *folder = p->supamock_json ? xstrdup(p->supamock_json) : xstrdup(p->dir);
    if (p->supamock_json) {
        char *slash = strrchr(folder, '/');
        if (slash)
            *slash = '\0';
        else
            strcpy(folder, ".");
    }
    size_t flen = strlen(folder);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "description",
                            "A Supabase project folder: its migrations and seed on the memory "
                            "engine.");
    if (p->supamock_json)
        cJSON_AddStringToObject(o, "extends", p->supamock_json + flen + 1);
    cJSON *sql = cJSON_AddArrayToObject(o, "sql");
    for (size_t i = 0; i < p->sql_file_count; i++) {
        const char *f = p->sql_files[i];
        if (strncmp(f, folder, flen) != 0 || f[flen] != '/') {
            scenario_pos_t none = {0};
            scenario_error_at(err, none, "%s: not inside the project folder %s", f, folder);
            cJSON_Delete(o);
            free(folder);
            return -1;
        }
        cJSON_AddItemToArray(sql, cJSON_CreateString(f + flen + 1));
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    /* The name the scenario is read under: relative paths resolve from its
     * folder, and it must not be supamock.json's own (extends would see a
     * cycle). */
    char *file =
        xasprintf("%s/%s", folder, p->supamock_json ? "supamock.json (project)" : "config.toml");
    int rc = scenario_load_text_in(folder, file, text, strlen(text), out, err);
    free(file);
    cJSON_free(text);
    free(folder);
    return rc;
}

/* supamock.json as JSON (NULL when absent or unreadable; the scenario
 * loader reports its errors): what it sets explicitly wins over
 * config.toml. The caller deletes it. */
static cJSON *read_given(const project_t *p, scenario_error_t *err)
{
    if (!p->supamock_json)
        return NULL;
    cJSON *given = NULL;
    size_t len = 0;
    char *text = read_text(p->supamock_json, PROJECT_MAX_CONFIG_BYTES, &len, err);
    if (text) {
        jsonc_doc_t doc;
        jsonc_error_t jerr;
        if (jsonc_parse(text, len, &doc, &jerr) == 0) {
            given = cJSON_Duplicate(doc.json, true);
            jsonc_doc_dispose(&doc);
        }
        free(text);
    }
    return given;
}

int project_scenario(const project_t *p, bool memory, scenario_t **out, scenario_error_t *err)
{
    *out = NULL;
    scenario_t *sc = NULL;
    cJSON *given = read_given(p, err);
    /* supamock.json with its own "sql" already says what the memory engine
     * reads (the shipped scenarios' SQL twins do). */
    bool own_sql = cJSON_GetObjectItemCaseSensitive(given, "sql") != NULL;
    int rc;
    if (memory && !own_sql) {
        rc = memory_scenario(p, &sc, err);
    } else if (p->supamock_json) {
        rc = scenario_load(p->supamock_json, &sc, err);
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "description",
                                "A Supabase project folder: its migrations and seed on the "
                                "database engine.");
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        char *file = xasprintf("%s/config.toml", p->dir);
        rc = scenario_load_text(file, text, strlen(text), &sc, err);
        free(file);
        cJSON_free(text);
    }
    if (rc < 0) {
        cJSON_Delete(given);
        return -1;
    }
    if (p->has_schemas && !json_sets(given, "postgrest", "db_schemas")) {
        for (size_t i = 0; i < sc->db_schema_count; i++)
            free(sc->db_schemas[i]);
        free(sc->db_schemas);
        sc->db_schemas = xcalloc(p->schema_count, sizeof *sc->db_schemas);
        for (size_t i = 0; i < p->schema_count; i++)
            sc->db_schemas[i] = xstrdup(p->schemas[i]);
        sc->db_schema_count = p->schema_count;
    }
    if (p->has_max_rows && !json_sets(given, "postgrest", "db_max_rows"))
        sc->db_max_rows = p->max_rows;
    if (p->has_enable_confirmations && !json_sets(given, "auth", "confirm_email"))
        sc->confirm_email = p->enable_confirmations;
    cJSON_Delete(given);
    *out = sc;
    return 0;
}

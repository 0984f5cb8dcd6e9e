# supamock in a container (Debian 12). Build and run:
#   docker build -t supamock .
#   docker run --rm -p 54321:54321 -e SUPAMOCK_ADMIN_TOKEN=secret supamock --scenario missing-grants
# Without SUPAMOCK_ADMIN_TOKEN supamock listens on the container's loopback
# only (see scripts/docker-entrypoint). From another container on the same
# network, add --admin-host SERVICE_NAME for /__mock.

# Build stage: the -dev packages, a release build installed into /opt/supamock
# by the same script scripts/test and the GitHub Action run.
FROM debian:12-slim AS build
COPY scripts/deps.sh /src/scripts/deps.sh
RUN bash -c '. /src/scripts/deps.sh && mock_apt_install $MOCK_BUILD_PACKAGES'
COPY . /src
RUN /src/scripts/build-install /opt/supamock

# Runtime stage: libuv and libcrypto are linked statically and cJSON ships in
# /opt/supamock/lib, so only the C library comes from the base image.
FROM debian:12-slim
COPY --from=build /opt/supamock /opt/supamock
COPY scripts/docker-entrypoint /usr/local/bin/supamock-entrypoint
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent supamock
ENV PATH=/opt/supamock/bin:$PATH
USER supamock
# Mount a project's scenarios at /data/scenarios to serve them by name.
WORKDIR /data
EXPOSE 54321
ENTRYPOINT ["supamock-entrypoint"]

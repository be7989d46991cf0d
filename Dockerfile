# One image per server binary:
#   docker build --build-arg BIN=neo4j-webhook    -t <registry>/neo4j-webhook:0.1.0 .
#   docker build --build-arg BIN=neo4j-controller -t <registry>/neo4j-controller:0.1.0 .
#   docker build --build-arg BIN=neo4j-agent      -t <registry>/neo4j-agent:0.1.0 .
FROM rust:1.95-bookworm AS build
ARG BIN
WORKDIR /src
COPY . .
RUN test -n "$BIN" && cargo build --release --locked --bin "$BIN" && cp "target/release/$BIN" /server

# Non-root (uid 65532), no shell.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /server /usr/local/bin/server
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/server"]

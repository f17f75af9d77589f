# Build: docker build -t briefbot .
#        (--build-arg VERSION=v1.2.0 names the version 'briefbot version' shows;
#        without it, the version and revision Go records from the Git checkout)
# Run:   docker run -e DISCORD_TOKEN -e DISCORD_APPLICATION_ID -v briefbot-data:/data briefbot serve
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/briefbot ./cmd/briefbot
# Inside a container the health endpoint must listen beyond loopback.
RUN sed 's#^  listen: "127.0.0.1:8080"#  listen: "0.0.0.0:8080"#' config.example.yaml > /out/config.yaml \
 && grep -q 'listen: "0.0.0.0:8080"' /out/config.yaml \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/briefbot /usr/local/bin/briefbot
COPY --from=build /out/config.yaml /etc/briefbot/config.yaml
# The image runs as nonroot; a named volume takes the folder's owner.
COPY --from=build --chown=65532:65532 /out/data /data
ENV BRIEFBOT_DATA=/data
# PDFium (WebAssembly) is compiled once and cached: kept in the volume, a
# restarted container reads its first PDF without the ~4 s compilation.
ENV XDG_CACHE_HOME=/data/cache
VOLUME ["/data"]
EXPOSE 8080
# GET /readyz on http.listen: healthy once the index is open and the
# gateway connected. The start period covers a first index build.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/briefbot", "--config", "/etc/briefbot/config.yaml", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/briefbot", "--config", "/etc/briefbot/config.yaml", "--data", "/data"]
CMD ["serve"]

# Build: docker build -t briefbot .
# Run:   docker run -e DISCORD_TOKEN -e DISCORD_APPLICATION_ID -v briefbot-data:/data briefbot serve
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/briefbot ./cmd/briefbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/briefbot /usr/local/bin/briefbot
COPY config.example.yaml /etc/briefbot/config.yaml
ENV BRIEFBOT_DATA=/data
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/briefbot", "--config", "/etc/briefbot/config.yaml", "--data", "/data"]
CMD ["serve"]

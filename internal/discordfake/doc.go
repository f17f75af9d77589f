// Package discordfake is a test-support fake of Discord: the REST API
// (v9 and v10 paths), the gateway WebSocket and signed HTTP interactions.
//
// It owns the rules a real Discord enforces and a bot can break without any
// unit test noticing: every request body is validated against Discord's
// official OpenAPI document (../shared/specs/discord/openapi.json) plus the
// limits the document lacks (6000 characters over all embeds, command-name
// pattern, 8000-character command total, numeric-string permissions,
// mandatory allowed_mentions with parse set); interactions must be
// acknowledged once and within 3 seconds; interaction tokens live 15
// minutes; rate-limit headers are sent and enforced; privileged intents are
// refused. Breaches answer the way Discord answers (400 50035, 400 40060,
// 404 10062, ...) and are recorded as Violations.
//
// Tests drive a real discordgo Session against it: the Session's HTTP client
// uses Server.Transport, which rewrites https://discord.com to the fake, and
// the gateway URL the fake hands out points back at it. This package speaks
// only JSON over HTTP and WebSocket; it does not import discordgo outside
// its own tests.
package discordfake

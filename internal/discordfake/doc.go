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
// Threads: POST /channels/{channel_id}/messages/{message_id}/threads starts
// a thread that takes the starter message's ID (400 160004 for a second
// one, 50024 outside text and announcement channels, 403 50013 without
// View Channel and Create Public Threads), dispatches THREAD_CREATE with
// newly_created and marks the starter HAS_THREAD; posting in a thread needs
// Send Messages in Threads. Server.StartThread does the same for a user;
// Thread, Threads and WaitThread inspect them.
//
// Modals may hold labels (type 18) around a text input or a string select,
// besides action rows of text inputs. InteractionSpec.ModalValues and
// ModalSelections fill them in; the fake refuses what Discord's client
// would not submit and sends every component back in Discord's shape, with
// ids. discordgo v0.29 cannot decode component type 18, so a bot reads
// such submits from the raw event; Interaction.Payload is that JSON.
//
// Attachment options (type 11): Server.Upload (or UploadFile) stores a
// file a user attaches and returns an Attachment to pass as the option's
// value; the bot gets its ID as the value and the attachment in
// data.resolved.attachments, with signed ephemeral links on
// cdn.discordapp.com and media.discordapp.net. The fake's CDN serves the
// bytes there (404 for unknown files and unsigned or expired links);
// UploadFile can declare a lying size, drop Content-Length or stall the
// body, and FailNext with a /cdn/ path fails fetches.
//
// Sharding: GET /gateway/bot recommends Options.RecommendedShards; each
// session receives the events of the guilds on its shard,
// (guild_id >> 22) % shard_count, and DMs go to shard 0 (see ShardOf,
// GuildIDOnShard, DropShard and CloseShardWith).
//
// Tests drive a real discordgo Session against it: the Session's HTTP client
// uses Server.Transport, which rewrites https://discord.com to the fake, and
// the gateway URL the fake hands out points back at it. This package speaks
// only JSON over HTTP and WebSocket; it does not import discordgo outside
// its own tests.
package discordfake

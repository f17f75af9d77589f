package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/loadtest"
)

// TestServeUnderLoad runs `briefbot serve` in HTTP mode on loopback and
// sends it signed /ask interactions at a steady rate for a few seconds
// (cmd/briefload does the same for a minute at 200/s): every interaction
// is acknowledged in the HTTP answer, every question answered or refused
// as not covered, none fails, and the bot makes no REST request Discord
// would not expect.
func TestServeUnderLoad(t *testing.T) {
	d, err := loadtest.NewDiscord()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	t.Setenv("DISCORD_TOKEN", loadtest.Token)
	t.Setenv("DISCORD_APPLICATION_ID", loadtest.ApplicationID)
	t.Setenv("DISCORD_PUBLIC_KEY", d.PublicKeyHex())
	addr := freeAddr(t)
	cfg := writeConfig(t, fmt.Sprintf("discord:\n  mode: http\n  api_base: %q\n  guild_ids: [%q]\n  cooldown: 0s\n  rate_limit: {user_per_minute: 0, guild_per_minute: 0}\nhttp:\n  listen: %q\n", d.URL(), loadtest.GuildID, addr))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	errb, stop := serveInBackground(t, ctx, "--data", t.TempDir(), "--config", cfg)
	defer func() {
		if code := stop(); code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	}()
	waitReady(ctx, t, "http://"+addr+"/readyz")

	rep, err := d.Run(ctx, loadtest.Config{
		Endpoint: "http://" + addr + "/interactions", Rate: 40, Duration: 3 * time.Second,
		Questions: loadtest.DefaultQuestions, Users: 50, Guilds: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	if rep.Sent != 120 || rep.Acked != rep.Sent || rep.Errors != 0 || rep.Unexpected != 0 {
		t.Errorf("sent %d, acknowledged %d, errors %d %v %v, unexpected requests %d\n%s",
			rep.Sent, rep.Acked, rep.Errors, rep.ErrorKinds, rep.Examples, rep.Unexpected, errb.String())
	}
	if rep.Answered+rep.Refused != rep.Sent || rep.Answered < rep.Sent/2 || rep.Refused == 0 {
		t.Errorf("answered %d, refused %d of %d", rep.Answered, rep.Refused, rep.Sent)
	}
	// Far inside Discord's 3 s even on a loaded CI machine.
	if rep.AckP99MS > 1000 {
		t.Errorf("acknowledgement p99 %.0f ms", rep.AckP99MS)
	}
}

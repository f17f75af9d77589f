package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/discordfake"
)

// TestShutdownLetsAnswersFinish: told to stop, the bot takes no new work
// but an answer already running is delivered before Run returns.
func TestShutdownLetsAnswersFinish(t *testing.T) {
	t.Parallel()
	g := newGate()
	e := startBot(t, setup{svc: gatedService(t, g), opts: func(o *Options, _ *discordfake.Server) {
		o.ShutdownTimeout = time.Minute
	}})
	it := e.ask("", "slow one", discordfake.Opt("private", false))
	e.callback(it)
	g.arrived(t, e.ctx)
	e.stop()
	<-e.bot.stopping.Done()
	select {
	case err := <-e.done:
		t.Fatalf("Run returned (%v) while an answer was running", err)
	default:
	}
	close(g.release)
	if msg := e.final(it); !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("answer after the stop = %q", msg.Text())
	}
	if err := e.result(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestShutdownTellsUnfinished: an answer still running when the shutdown
// timeout passes is abandoned, and its asker told the bot is restarting
// (not left with "thinking…"); Run returns soon after.
func TestShutdownTellsUnfinished(t *testing.T) {
	t.Parallel()
	g := newGate()
	rec := recordingObserver{questions: make(chan observation, 4)}
	e := startBot(t, setup{svc: gatedService(t, g), opts: func(o *Options, _ *discordfake.Server) {
		o.ShutdownTimeout = 50 * time.Millisecond
		o.Observer = rec
	}})
	it := e.ask("", "slow one", discordfake.Opt("private", false))
	e.callback(it)
	g.arrived(t, e.ctx)
	stopped := time.Now()
	e.stop()
	if err := e.result(); err != nil {
		t.Errorf("Run: %v", err)
	}
	if took := time.Since(stopped); took > shutdownTellWait {
		t.Errorf("Run took %v to return after the stop", took)
	}
	if msg := e.shown(it); !msg.Ephemeral() || !strings.Contains(msg.Text(), "restarting") {
		t.Errorf("asker told ephemeral=%v %q", msg.Ephemeral(), msg.Text())
	}
	select {
	case o := <-rec.questions:
		if o.command != "ask" || o.outcome != "busy" {
			t.Errorf("observed %+v, want ask/busy", o)
		}
	default:
		t.Error("the abandoned question was not counted")
	}
}

// TestHTTPShutdownTellsNewInteraction: while an answer finishes during
// the shutdown, a new interaction over HTTP is told at once, privately,
// that the bot is restarting.
func TestHTTPShutdownTellsNewInteraction(t *testing.T) {
	t.Parallel()
	g := newGate()
	e, url := startHTTPBot(t, setup{svc: gatedService(t, g), opts: func(o *Options, _ *discordfake.Server) {
		o.ShutdownTimeout = time.Minute
	}})
	slow, err := e.fake.PostSignedInteraction(e.ctx, url, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
		discordfake.Opt("question", "slow one"), discordfake.Opt("private", false)}})
	if err != nil {
		t.Fatal(err)
	}
	g.arrived(t, e.ctx)
	e.stop()
	<-e.bot.stopping.Done()
	if e.bot.Serving() {
		t.Error("still ready (Serving) once told to stop")
	}
	late, err := e.fake.PostSignedInteraction(e.ctx, url, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
		discordfake.Opt("question", "What does Article 9 call for?")}})
	if err != nil {
		t.Fatal(err)
	}
	if msg := e.final(late); !msg.Ephemeral() || !strings.Contains(msg.Text(), "restarting") {
		t.Errorf("late interaction: ephemeral=%v %q", msg.Ephemeral(), msg.Text())
	}
	close(g.release)
	if msg := e.final(slow); !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("the answer in flight = %q", msg.Text())
	}
	if err := e.result(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

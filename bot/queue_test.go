package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
)

// TestBurstWaitsForASlot: 50 users ask at once while the 4 slots are held
// by answers that do not finish until every ask has been acknowledged.
// Each ask is deferred and waits for a slot instead of being turned away.
func TestBurstWaitsForASlot(t *testing.T) {
	t.Parallel()
	const n, slots = 50, 4
	svc := newFakeService(t)
	g := newGate()
	svc.ask = func(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
		if err := g.wait(ctx, req.UserID); err != nil {
			return briefbot.Answer{}, err
		}
		return svc.cannedAnswer(req.Question), nil
	}
	e := startBot(t, setup{svc: svc, opts: func(o *Options, _ *discordfake.Server) { o.MaxInFlight = slots }})
	its := make([]*discordfake.Interaction, n)
	dispatched := make(chan struct{}, n)
	for i := range its {
		u := addMember(t, e.fake)
		go func() {
			its[i] = e.ask(u, "What does Article 9 call for?")
			dispatched <- struct{}{}
		}()
	}
	for range n {
		<-dispatched
	}
	// Every ask is acknowledged while the slots are still held.
	for _, it := range its {
		e.callback(it)
	}
	for range slots {
		g.arrived(t, e.ctx)
	}
	close(g.release)
	busy := 0
	for i, it := range its {
		switch text := e.shown(it).Text(); {
		case strings.Contains(text, "answering many questions"):
			busy++
		case !strings.Contains(text, "unblocking"):
			t.Errorf("ask %d answered %q", i, text)
		}
	}
	if busy > 0 {
		t.Errorf("%d of %d asks were told the bot is busy, want none (max_in_flight %d)", busy, n, slots)
	}
}

// TestQueuedAskIsRefusedInTime: a question waiting for a slot that a
// blocked answer holds is acknowledged, then told, privately, that the bot
// is busy once queue_wait has passed, or that it is restarting when the
// bot stops meanwhile; the public "thinking…" does not stay behind.
func TestQueuedAskIsRefusedInTime(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		queueWait time.Duration
		stop      bool // stop the bot while the question waits
		want      string
	}{
		{"queue_wait elapses", 20 * time.Millisecond, false, "answering many questions"},
		{"the bot stops", time.Hour, true, "restarting"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := newGate()
			svc := gatedService(t, g)
			e := startBot(t, setup{svc: svc, opts: func(o *Options, _ *discordfake.Server) {
				o.MaxInFlight = 1
				o.QueueWait = c.queueWait
			}})
			other := addMember(t, e.fake)
			slow := e.ask("", "slow one")
			e.callback(slow)
			g.arrived(t, e.ctx)

			queued := e.ask(other, "What does Article 9 call for?")
			if cb := e.callback(queued); cb.Type != discordfake.CallbackDeferredChannelMessage {
				t.Fatalf("queued ask: callback %d, want a deferral (5)", cb.Type)
			}
			if c.stop {
				e.stop()
			}
			msg := e.shown(queued)
			if !msg.Ephemeral() || !strings.Contains(msg.Text(), c.want) {
				t.Errorf("queued ask shown ephemeral=%v %q, want %q", msg.Ephemeral(), msg.Text(), c.want)
			}
			if o, _ := queued.Original(); !o.Deleted {
				t.Errorf("the public \"thinking…\" was left behind: %+v", o)
			}
			close(g.release)
			if !c.stop {
				if msg := e.final(slow); !strings.Contains(msg.Text(), "unblocking") {
					t.Errorf("slow answer = %q", msg.Text())
				}
			}
		})
	}
}

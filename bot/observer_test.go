package bot

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
)

// observation is one Observer.Question call.
type observation struct{ command, outcome string }

// recordingObserver hands each question's report to the test.
type recordingObserver struct{ questions chan observation }

func (r recordingObserver) Question(command, outcome string, d time.Duration) {
	if d <= 0 {
		outcome += " (no duration)"
	}
	r.questions <- observation{command, outcome}
}

func (r recordingObserver) Retrieval(time.Duration) {}

// TestObserverOutcomes: each way an /ask ends is reported once to
// Options.Observer with its outcome; an empty question, which never asks
// for an answer, is not reported.
func TestObserverOutcomes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		question string
		ask      func(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error)
		opts     func(*Options)
		tweak    func(*Bot)
		want     string
	}{
		{name: "answered", question: "What does Article 9 call for?", want: briefbot.OutcomeAnswered},
		{name: "refused", question: "zzzz qqqq?", want: briefbot.OutcomeRefused},
		{name: "failed", question: "What does Article 9 call for?", want: briefbot.OutcomeFailed,
			ask: func(context.Context, briefbot.AskRequest) (briefbot.Answer, error) {
				return briefbot.Answer{}, errors.New("index broken")
			}},
		{name: "timeout", question: "What does Article 9 call for?", want: briefbot.OutcomeTimeout,
			opts: func(o *Options) { o.AnswerTimeout = 50 * time.Millisecond },
			ask: func(ctx context.Context, _ briefbot.AskRequest) (briefbot.Answer, error) {
				<-ctx.Done()
				return briefbot.Answer{}, ctx.Err()
			}},
		{name: "busy", question: "What does Article 9 call for?", want: briefbot.OutcomeBusy,
			opts: func(o *Options) { o.MaxInFlight, o.QueueWait = 1, 0 },
			// The one slot is taken, as by an answer still running.
			tweak: func(b *Bot) { b.inFlight <- struct{}{} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			obs := recordingObserver{questions: make(chan observation, 4)}
			svc := newFakeService(t)
			svc.ask = c.ask
			e := startBot(t, setup{svc: svc, tweak: c.tweak, opts: func(o *Options, _ *discordfake.Server) {
				o.Observer = obs
				if c.opts != nil {
					c.opts(o)
				}
			}})
			// Not a question: no report, and none left over for the next.
			e.callback(e.ask("", "   "))
			e.shown(e.ask("", c.question))
			select {
			case got := <-obs.questions:
				if got != (observation{"ask", c.want}) {
					t.Errorf("observed %+v, want ask/%s", got, c.want)
				}
			case <-e.ctx.Done():
				t.Fatal("no question observed")
			}
			if len(obs.questions) != 0 {
				t.Errorf("more than one report: %+v", <-obs.questions)
			}
		})
	}
}

package bot

import (
	"slices"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/discordfake"
)

// BenchmarkConcurrentAsk sends 50 /ask at once from 50 users through the
// fake Discord, answered by the real library (extractive) on the built-in
// brief with the default discord.max_in_flight (8), and reports
// acknowledgement and answer latency percentiles of the answered asks (wall
// time from dispatch; targets: ack p99 < 250 ms, answer p99 < 1 s) and how
// many asks per burst were told the bot is busy (target: none).
//
//	go test ./bot -run '^$' -bench ConcurrentAsk -benchtime 20x
func BenchmarkConcurrentAsk(b *testing.B) {
	lib := openLibrary(b)
	e := startBot(b, setup{svc: lib, opts: func(o *Options, _ *discordfake.Server) {
		o.MaxInFlight = 8
		o.Cooldown = 5 * time.Second
	}})
	users := make([]string, 50)
	for i := range users {
		users[i] = addMember(b, e.fake)
	}
	var all []askLatency
	refused := 0
	b.ResetTimer()
	for range b.N {
		lat, r := runConcurrentAsks(b, e, users)
		all = append(all, lat...)
		refused += r
		b.StopTimer()
		e.clock.Advance(10 * time.Second) // past every user's cooldown
		b.StartTimer()
	}
	b.StopTimer()
	acks, answers := latencies(all)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(percentile(acks, 50)), "ack-p50-ms")
	b.ReportMetric(ms(percentile(acks, 99)), "ack-p99-ms")
	b.ReportMetric(ms(percentile(answers, 50)), "answer-p50-ms")
	b.ReportMetric(ms(percentile(answers, 99)), "answer-p99-ms")
	b.ReportMetric(float64(refused)/float64(b.N), "busy/burst")
}

// percentile is the nearest-rank percentile of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s) + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func TestPercentile(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3}
	for _, c := range []struct {
		p    int
		want time.Duration
	}{{50, 3}, {99, 5}, {1, 1}, {100, 5}} {
		if got := percentile(ds, c.p); got != c.want {
			t.Errorf("p%d = %v, want %v", c.p, got, c.want)
		}
	}
}

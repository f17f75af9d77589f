// Command briefload measures a briefbot serving Discord's HTTP
// interactions under load. It starts `briefbot serve` (discord.mode: http)
// on loopback against a stand-in Discord REST API, sends signed /ask
// interactions at a set rate, and reports the rate sustained, the
// acknowledgement and answer latencies (p50/p99), the errors and the bot's
// peak memory (RSS):
//
//	go build -o /tmp/briefbot ./cmd/briefbot
//	go run ./cmd/briefload -briefbot /tmp/briefbot -rate 200 -duration 60s
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/briefbot/briefbot/internal/loadtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("briefload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	binary := fs.String("briefbot", "briefbot", "the briefbot `binary` to run (go build -o /tmp/briefbot ./cmd/briefbot)")
	rate := fs.Float64("rate", 200, "interactions per `second`")
	duration := fs.Duration("duration", 60*time.Second, "how long to send")
	warmup := fs.Duration("warmup", 3*time.Second, "a first, unreported run at the same rate")
	users := fs.Int("users", 1000, "distinct users asking")
	guilds := fs.Int("guilds", 10, "servers they ask in")
	questions := fs.String("questions", "", "JSONL `file` of {\"question\": …} or {\"query\": …} records (default: built-in questions about the brief)")
	extra := fs.String("config", "", "a YAML `file` appended to the generated configuration (e.g. corpus.paths)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	keep := fs.Bool("keep", false, "keep the bot's data folder and log")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	qs := loadtest.DefaultQuestions
	if *questions != "" {
		var err error
		if qs, err = readQuestions(*questions); err != nil {
			fmt.Fprintln(stderr, "briefload:", err)
			return 1
		}
	}
	rep, rss, err := measure(ctx, *binary, *extra, *keep, stderr, loadtest.Config{
		Rate: *rate, Duration: *duration, Users: *users, Guilds: *guilds, Questions: qs,
	}, *warmup)
	if err != nil {
		fmt.Fprintln(stderr, "briefload:", err)
		return 1
	}
	if *asJSON {
		out := struct {
			loadtest.Report
			PeakRSSMB float64 `json:"peak_rss_mb"`
		}{rep, rss}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	} else {
		fmt.Fprintf(stdout, "sent %d /ask in %.1f s: %.1f/s\n", rep.Sent, rep.Seconds, rep.RatePerS)
		fmt.Fprintf(stdout, "acknowledged %d: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", rep.Acked, rep.AckP50MS, rep.AckP99MS, rep.AckMaxMS)
		fmt.Fprintf(stdout, "answered %d, refused (not in the documents) %d: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
			rep.Answered, rep.Refused, rep.AnswerP50, rep.AnswerP99, rep.AnswerMax)
		fmt.Fprintf(stdout, "errors %d %v, unexpected REST requests %d\n", rep.Errors, rep.ErrorKinds, rep.Unexpected)
		for k, v := range rep.Examples {
			fmt.Fprintf(stdout, "  %s: %s\n", k, v)
		}
		fmt.Fprintf(stdout, "peak RSS %.1f MB\n", rss)
	}
	if rep.Errors > 0 || rep.Unexpected > 0 {
		return 1
	}
	return 0
}

// measure runs the bot, loads it (a warm-up first), and returns the report
// and the bot's peak RSS in MB.
func measure(ctx context.Context, binary, extra string, keep bool, stderr io.Writer, cfg loadtest.Config, warmup time.Duration) (loadtest.Report, float64, error) {
	d, err := loadtest.NewDiscord()
	if err != nil {
		return loadtest.Report{}, 0, err
	}
	defer d.Close()
	dir, err := os.MkdirTemp("", "briefload-")
	if err != nil {
		return loadtest.Report{}, 0, err
	}
	if keep {
		fmt.Fprintln(stderr, "briefload: data and log in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	listen, err := freeAddr()
	if err != nil {
		return loadtest.Report{}, 0, err
	}
	config := fmt.Sprintf(`discord:
  mode: http
  api_base: %q
  guild_ids: [%q]
  cooldown: 0s
  # The load measures capacity: the per-user and per-server limits,
  # which would refuse most of it, are off.
  rate_limit: {user_per_minute: 0, guild_per_minute: 0}
http:
  listen: %q
`, d.URL(), loadtest.GuildID, listen)
	if extra != "" {
		more, err := os.ReadFile(extra)
		if err != nil {
			return loadtest.Report{}, 0, err
		}
		config += string(more)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		return loadtest.Report{}, 0, err
	}
	logFile, err := os.Create(filepath.Join(dir, "briefbot.log"))
	if err != nil {
		return loadtest.Report{}, 0, err
	}
	defer logFile.Close()
	cmd := exec.Command(binary, "--data", filepath.Join(dir, "data"), "--config", cfgPath, "--log-format", "json", "serve")
	cmd.Env = append(os.Environ(),
		"DISCORD_TOKEN="+loadtest.Token,
		"DISCORD_APPLICATION_ID="+loadtest.ApplicationID,
		"DISCORD_PUBLIC_KEY="+d.PublicKeyHex())
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return loadtest.Report{}, 0, fmt.Errorf("start %s: %w", binary, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	if err := waitReady(ctx, "http://"+listen+"/readyz", exited); err != nil {
		return loadtest.Report{}, 0, fmt.Errorf("%w (log: %s)", err, filepath.Join(dir, "briefbot.log"))
	}
	cfg.Endpoint = "http://" + listen + "/interactions"
	if warmup > 0 {
		w := cfg
		w.Duration = warmup
		if _, err := d.Run(ctx, w); err != nil {
			return loadtest.Report{}, 0, err
		}
	}
	rep, err := d.Run(ctx, cfg)
	if err != nil {
		return rep, 0, err
	}
	if keep {
		// The parts of the memory now, for a closer look.
		if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)); err == nil {
			for _, l := range strings.Split(string(status), "\n") {
				if strings.HasPrefix(l, "Rss") || strings.HasPrefix(l, "Vm") {
					fmt.Fprintln(stderr, "briefload: bot", l)
				}
			}
		}
		if smaps, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", cmd.Process.Pid)); err == nil {
			byFile := map[string]int{}
			name := ""
			for _, l := range strings.Split(string(smaps), "\n") {
				f := strings.Fields(l)
				switch {
				case len(f) >= 5 && strings.Contains(f[0], "-"):
					name = "[anon]"
					if len(f) >= 6 {
						name = f[5]
					}
				case len(f) == 3 && f[0] == "Rss:":
					kb, _ := strconv.Atoi(f[1])
					byFile[name] += kb
				}
			}
			for n, kb := range byFile {
				if kb >= 1024 {
					fmt.Fprintf(stderr, "briefload: bot RSS %6d kB %s\n", kb, n)
				}
			}
		}
	}
	return rep, peakRSS(cmd.Process.Pid), nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls the bot's readiness until it answers 200, the bot
// exits, or a minute passes.
func waitReady(ctx context.Context, url string, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("briefbot exited before it was ready: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("briefbot not ready: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// peakRSS reads a process's peak resident memory (VmHWM) in MB; 0 where
// /proc is not there.
func peakRSS(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func readQuestions(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var rec struct {
			Question string `json:"question"`
			Query    string `json:"query"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Question+rec.Query == "" {
			return nil, fmt.Errorf("%s: want one {\"question\": …} (or \"query\") per line: %.80q", path, line)
		}
		qs = append(qs, rec.Question+rec.Query)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s: no questions", path)
	}
	return qs, nil
}

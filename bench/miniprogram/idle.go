package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuTicks reads the machine's busy and total CPU ticks from /proc/stat.
func cpuTicks() (busy, total uint64, ok bool) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, false
	}
	for i, f := range fields[1:] {
		v, _ := strconv.ParseUint(f, 10, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total, true
}

// busyPercent is the share of all cores busy over d.
func busyPercent(d time.Duration) float64 {
	b0, t0, ok := cpuTicks()
	time.Sleep(d)
	b1, t1, ok1 := cpuTicks()
	if !ok || !ok1 || t1 == t0 {
		return -1
	}
	return 100 * float64(b1-b0) / float64(t1-t0)
}

// waitIdle waits up to -wait-idle for the machine to be below 20 % busy
// (the machine is shared; a run that overlaps other work is noise) and says
// how busy it was.
func waitIdle(section string) {
	deadline := time.Now().Add(*flagWaitIdle)
	for {
		p := busyPercent(2 * time.Second)
		if p < 20 {
			fmt.Printf("[%s: machine %.0f%% busy before the run]\n", section, p)
			return
		}
		if time.Now().After(deadline) {
			fmt.Printf("[%s: WARNING machine still %.0f%% busy after waiting %s for it to idle — numbers include other work]\n", section, p, *flagWaitIdle)
			return
		}
	}
}

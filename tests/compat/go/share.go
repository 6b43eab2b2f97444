// Share-group (KIP-932) worker built on franz-go's share consumer (kgo.ShareGroup), for
// tests/compat/share/run-share.sh. The topic and the group's share.auto.offset.reset are set up beforehand.
// Usage: franz-compat share worker BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE
//
//	accepts every record; appends "offset value deliveryCount" per record once the broker confirmed it
//
// franz-compat share relrej BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE RELEASE REJECT
//
//	RELEASEs the record whose value is RELEASE on its first delivery (and accepts it when it comes back),
//	REJECTs the record whose value is REJECT, accepts the others; appends "offset value deliveryCount TYPE"
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func runShare(args []string) error {
	if len(args) < 6 || (args[0] == "relrej" && len(args) < 8) {
		return errors.New("usage: franz-compat share worker|relrej BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE [RELEASE REJECT]")
	}
	mode, bootstrap, topic, group, outFile, stopFile := args[0], args[1], args[2], args[3], args[4], args[5]
	releaseValue, rejectValue := "", ""
	if mode == "relrej" {
		releaseValue, rejectValue = args[6], args[7]
	} else if mode != "worker" {
		return fmt.Errorf("unknown share mode %s", mode)
	}
	out, err := os.OpenFile(outFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	// Set by the acknowledgement callback when the broker refused an acknowledgement since the last flush.
	var ackFailed atomic.Bool
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(bootstrap),
		kgo.ShareGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.ShareAckCallback(func(_ *kgo.Client, results kgo.ShareAckResults) {
			if err := results.Error(); err != nil {
				ackFailed.Store(true)
				fmt.Fprintf(os.Stderr, "acknowledgement failed: %v\n", err)
			}
		}),
	)
	if err != nil {
		return err
	}
	defer cl.Close()
	for {
		if _, err := os.Stat(stopFile); err == nil {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		fetches := cl.PollRecords(ctx, 100)
		cancel()
		for _, e := range fetches.Errors() {
			if !errors.Is(e.Err, context.DeadlineExceeded) {
				fmt.Fprintf(os.Stderr, "fetch error %s/%d: %v\n", e.Topic, e.Partition, e.Err)
			}
		}
		var lines []string
		fetches.EachRecord(func(r *kgo.Record) {
			value := string(r.Value)
			status, name := kgo.AckAccept, "ACCEPT"
			if value == releaseValue && r.DeliveryCount() == 1 {
				status, name = kgo.AckRelease, "RELEASE"
			} else if value == rejectValue && mode == "relrej" {
				status, name = kgo.AckReject, "REJECT"
			}
			r.Ack(status)
			line := fmt.Sprintf("%d %s %d", r.Offset, value, r.DeliveryCount())
			if mode == "relrej" {
				line += " " + name
			}
			lines = append(lines, line)
		})
		if len(lines) == 0 {
			continue
		}
		ackFailed.Store(false)
		flushCtx, flushCancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := cl.FlushAcks(flushCtx)
		flushCancel()
		// Only records whose acknowledgement the broker confirmed are written.
		if err != nil || ackFailed.Load() {
			fmt.Fprintf(os.Stderr, "flush failed (%v); %d records not counted\n", err, len(lines))
			continue
		}
		for _, line := range lines {
			fmt.Fprintln(out, line)
		}
	}
}

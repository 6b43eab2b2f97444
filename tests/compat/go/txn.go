// Transactions (issue 12) check built on franz-go's GroupTransactSession, for tests/compat/txn/run-txn.sh:
// creates IN and OUT (3 partitions each), produces COUNT records "0".."COUNT-1" to IN, then copies IN to OUT
// in a consume-transform-produce loop (group GROUP, read_committed, stable offsets), every transaction
// acknowledged by the broker before it ends (ProduceSync); every fourth transaction is aborted, which rewinds
// the session to the committed offsets, so those records are copied again in a later transaction. Ends when
// the group's committed offsets reach IN's end offsets; then reads OUT with read_committed (each value
// exactly once) and read_uncommitted (the aborted copies are there too); each read ends after 3 idle seconds.
// Usage: franz-compat txn BOOTSTRAP IN OUT GROUP COUNT
package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func runTxn(args []string) error {
	if len(args) != 5 {
		return errors.New("usage: franz-compat txn BOOTSTRAP IN OUT GROUP COUNT")
	}
	bootstrap, in, out, group := args[0], args[1], args[2], args[3]
	count, err := strconv.Atoi(args[4])
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()

	admin, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		return err
	}
	defer admin.Close()
	adm := kadm.NewClient(admin)
	for _, t := range []string{in, out} {
		if _, err := adm.CreateTopic(ctx, 3, 1, nil, t); err != nil {
			return fmt.Errorf("create %s: %w", t, err)
		}
	}
	for i := 0; i < count; i++ {
		v := []byte(strconv.Itoa(i))
		admin.Produce(ctx, &kgo.Record{Topic: in, Key: v, Value: v}, nil)
	}
	if err := admin.Flush(ctx); err != nil {
		return err
	}

	sess, err := kgo.NewGroupTransactSession(
		kgo.SeedBrokers(bootstrap),
		kgo.TransactionalID(group+"-txid"),
		kgo.TransactionTimeout(60*time.Second),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(in),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RequireStableFetchOffsets(),
	)
	if err != nil {
		return err
	}
	defer sess.Close()
	committedTxns, abortedTxns := 0, 0
	for {
		if ctx.Err() != nil {
			return fmt.Errorf("not caught up within the time limit (%d committed, %d aborted transactions)", committedTxns, abortedTxns)
		}
		pollCtx, pollCancel := context.WithTimeout(ctx, time.Second)
		fetches := sess.PollRecords(pollCtx, 100)
		pollCancel()
		if errs := fetches.Errors(); len(errs) > 0 {
			for _, e := range errs {
				if !errors.Is(e.Err, context.DeadlineExceeded) {
					return fmt.Errorf("fetch %s[%d]: %w", e.Topic, e.Partition, e.Err)
				}
			}
		}
		records := fetches.Records()
		if len(records) == 0 {
			done, err := caughtUp(ctx, adm, group, in)
			if err != nil {
				return err
			}
			if done {
				break
			}
			continue
		}
		if err := sess.Begin(); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		abort := (committedTxns+abortedTxns)%4 == 3
		for _, r := range records {
			if err := sess.ProduceSync(ctx, &kgo.Record{Topic: out, Key: r.Key, Value: r.Value}).FirstErr(); err != nil {
				return fmt.Errorf("produce: %w", err)
			}
		}
		try := kgo.TryCommit
		if abort {
			try = kgo.TryAbort
		}
		committed, err := sess.End(ctx, try)
		if err != nil {
			return fmt.Errorf("end (commit=%v): %w", !abort, err)
		}
		if committed {
			committedTxns++
		} else {
			abortedTxns++
		}
	}

	readCommitted, err := readAll(ctx, bootstrap, out, kgo.ReadCommitted())
	if err != nil {
		return err
	}
	readUncommitted, err := readAll(ctx, bootstrap, out, kgo.ReadUncommitted())
	if err != nil {
		return err
	}
	seen := map[string]int{}
	for _, v := range readCommitted {
		seen[v]++
	}
	var twice, missing []int
	for i := 0; i < count; i++ {
		switch n := seen[strconv.Itoa(i)]; {
		case n == 0:
			missing = append(missing, i)
		case n > 1:
			twice = append(twice, i)
		}
	}
	summary := fmt.Sprintf("%d committed and %d aborted transactions; read_committed %d records, read_uncommitted %d",
		committedTxns, abortedTxns, len(readCommitted), len(readUncommitted))
	if len(twice) > 0 || len(missing) > 0 || len(readCommitted) != count {
		return fmt.Errorf("%s; %d values twice (first %v), %d missing (first %v)", summary, len(twice), head(twice), len(missing), head(missing))
	}
	if abortedTxns == 0 || len(readUncommitted) <= count {
		return fmt.Errorf("%s; no aborted records in the log: the check proved nothing about aborts", summary)
	}
	fmt.Printf("PASS franz-go GroupTransactSession: %d values once each under read_committed; %s\n", count, summary)
	return nil
}

func head(xs []int) []int {
	if len(xs) > 5 {
		return xs[:5]
	}
	return xs
}

// caughtUp: the group's committed offsets equal IN's end offsets on every partition.
func caughtUp(ctx context.Context, adm *kadm.Client, group, topic string) (bool, error) {
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return false, err
	}
	committed, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		return false, err
	}
	done := true
	ends.Each(func(o kadm.ListedOffset) {
		c, ok := committed.Lookup(topic, o.Partition)
		if !ok || c.At < o.Offset {
			done = false
		}
	})
	return done, nil
}

// readAll reads every record value of topic under the isolation level, until 3 s pass without a record.
func readAll(ctx context.Context, bootstrap, topic string, isolation kgo.IsolationLevel) ([]string, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(isolation))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var values []string
	idle := 0
	for idle < 3 {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("reading %s: %w (read %d)", topic, ctx.Err(), len(values))
		}
		pollCtx, cancel := context.WithTimeout(ctx, time.Second)
		fetches := cl.PollFetches(pollCtx)
		cancel()
		n := 0
		fetches.EachRecord(func(r *kgo.Record) {
			values = append(values, string(r.Value))
			n++
		})
		if n == 0 {
			idle++
		} else {
			idle = 0
		}
	}
	return values, nil
}

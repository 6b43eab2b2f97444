// Compat check for franz-go (kgo + kadm): create a 3-partition topic, produce keyed records with headers under every
// codec with the idempotent producer (its default), read them back by direct partition consumption (no group).
// Usage: franz-compat HOST:PORT TOPIC_PREFIX [all|produce|verify]; `franz-compat share ...` is the share-group
// worker of share.go, `franz-compat txn ...` the transactions check of txn.go.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	recordsPerCodec = 20
	partitions      = 3
	timeout         = 60 * time.Second
)

var codecs = []string{"none", "gzip", "snappy", "lz4", "zstd"}

type rec struct {
	key, value []byte
	headers    []kgo.RecordHeader
}

func (r rec) String() string {
	v := string(r.value)
	if len(v) > 40 {
		v = v[:40]
	}
	var h []string
	for _, x := range r.headers {
		h = append(h, x.Key+"="+string(x.Value))
	}
	return fmt.Sprintf("key=%s value=%s headers=[%s]", r.key, v, strings.Join(h, ","))
}

func same(a, b rec) bool {
	if !bytes.Equal(a.key, b.key) || !bytes.Equal(a.value, b.value) || len(a.headers) != len(b.headers) {
		return false
	}
	for i := range a.headers {
		if a.headers[i].Key != b.headers[i].Key || !bytes.Equal(a.headers[i].Value, b.headers[i].Value) {
			return false
		}
	}
	return true
}

func makeRecord(codec string, i int) rec {
	return rec{
		key:   []byte(fmt.Sprintf("key-%s-%d", codec, i)),
		value: []byte(fmt.Sprintf("value-%s-%d-%s", codec, i, strings.Repeat("brook ", i*7%50))),
		headers: []kgo.RecordHeader{
			{Key: "h-index", Value: []byte(strconv.Itoa(i))},
			{Key: "h-codec", Value: []byte(codec)},
			{Key: "h-empty", Value: []byte{}},
		},
	}
}

func codecOption(codec string) kgo.CompressionCodec {
	switch codec {
	case "gzip":
		return kgo.GzipCompression()
	case "snappy":
		return kgo.SnappyCompression()
	case "lz4":
		return kgo.Lz4Compression()
	case "zstd":
		return kgo.ZstdCompression()
	}
	return kgo.NoCompression()
}

func createTopic(ctx context.Context, bootstrap, topic string) error {
	client, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		return err
	}
	defer client.Close()
	admin := kadm.NewClient(client)
	resp, err := admin.CreateTopic(ctx, partitions, 1, nil, topic)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create topic: %w", err)
	}
	if resp.Err != nil && !errors.Is(resp.Err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create topic: %w", resp.Err)
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		details, err := admin.ListTopics(ctx, topic)
		if err == nil {
			if d, ok := details[topic]; ok && d.Err == nil && len(d.Partitions) == partitions {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("topic %s not visible with %d partitions", topic, partitions)
}

func produce(ctx context.Context, bootstrap, topic string, explicit bool) ([][]rec, error) {
	expected := make([][]rec, partitions)
	for _, codec := range codecs {
		opts := []kgo.Opt{kgo.SeedBrokers(bootstrap), kgo.ProducerBatchCompression(codecOption(codec)), kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(5 * time.Millisecond)}
		if explicit {
			opts = append(opts, kgo.RecordPartitioner(kgo.ManualPartitioner()))
		}
		client, err := kgo.NewClient(opts...)
		if err != nil {
			return nil, err
		}
		var records []*kgo.Record
		for i := 0; i < recordsPerCodec; i++ {
			r := makeRecord(codec, i)
			records = append(records, &kgo.Record{Topic: topic, Partition: int32(i % partitions), Key: r.key, Value: r.value, Headers: r.headers})
		}
		results := client.ProduceSync(ctx, records...)
		client.Close()
		if err := results.FirstErr(); err != nil {
			return nil, fmt.Errorf("%s: produce: %w", codec, err)
		}
		// ProduceSync reports in completion order, not input order: map each result back to its input record and
		// order each partition by offset.
		index := map[*kgo.Record]int{}
		for i, r := range records {
			index[r] = i
		}
		type placed struct {
			offset int64
			i      int
		}
		byPartition := make([][]placed, partitions)
		for _, result := range results {
			r := result.Record
			i := index[r]
			if explicit && r.Partition != int32(i%partitions) {
				return nil, fmt.Errorf("%s: record %d landed in partition %d", codec, i, r.Partition)
			}
			byPartition[r.Partition] = append(byPartition[r.Partition], placed{r.Offset, i})
		}
		for p, list := range byPartition {
			sort.Slice(list, func(a, b int) bool { return list[a].offset < list[b].offset })
			for k, x := range list {
				if k > 0 && x.i <= list[k-1].i {
					return nil, fmt.Errorf("%s: partition %d holds record %d after record %d", codec, p, x.i, list[k-1].i)
				}
				expected[p] = append(expected[p], makeRecord(codec, x.i))
			}
		}
	}
	return expected, nil
}

func expectedExplicit() [][]rec {
	expected := make([][]rec, partitions)
	for _, codec := range codecs {
		for i := 0; i < recordsPerCodec; i++ {
			expected[i%partitions] = append(expected[i%partitions], makeRecord(codec, i))
		}
	}
	return expected
}

func consume(ctx context.Context, bootstrap, topic string, expected [][]rec) error {
	offsets := map[int32]kgo.Offset{}
	for p := int32(0); p < partitions; p++ {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	client, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		return err
	}
	defer client.Close()
	got := make([][]rec, partitions)
	total, count := 0, 0
	for _, e := range expected {
		total += len(e)
	}
	deadline := time.Now().Add(timeout)
	for count < total && time.Now().Before(deadline) {
		pollCtx, cancel := context.WithTimeout(ctx, time.Second)
		fetches := client.PollFetches(pollCtx)
		cancel()
		for _, fe := range fetches.Errors() {
			if !errors.Is(fe.Err, context.DeadlineExceeded) {
				return fmt.Errorf("fetch partition %d: %w", fe.Partition, fe.Err)
			}
		}
		fetches.EachRecord(func(r *kgo.Record) {
			headers := r.Headers
			for i := range headers {
				if headers[i].Value == nil {
					headers[i].Value = []byte{}
				}
			}
			got[r.Partition] = append(got[r.Partition], rec{key: r.Key, value: r.Value, headers: headers})
			count++
		})
	}
	for p := 0; p < partitions; p++ {
		if len(got[p]) != len(expected[p]) {
			return fmt.Errorf("partition %d: expected %d records, got %d", p, len(expected[p]), len(got[p]))
		}
		for i := range expected[p] {
			if !same(expected[p][i], got[p][i]) {
				return fmt.Errorf("partition %d record %d: expected %s, got %s", p, i, expected[p][i], got[p][i])
			}
		}
	}
	return nil
}

func run(args []string) (string, error) {
	if len(args) < 2 {
		return "", errors.New("usage: franz-compat HOST:PORT TOPIC_PREFIX [all|produce|verify]")
	}
	bootstrap, topic, phase := args[0], args[1]+"-franz", "all"
	if len(args) > 2 {
		phase = args[2]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*timeout)
	defer cancel()
	switch phase {
	case "all":
		if err := createTopic(ctx, bootstrap, topic); err != nil {
			return "", err
		}
		expected, err := produce(ctx, bootstrap, topic, false)
		if err != nil {
			return "", err
		}
		return phase, consume(ctx, bootstrap, topic, expected)
	case "produce":
		if err := createTopic(ctx, bootstrap, topic); err != nil {
			return "", err
		}
		_, err := produce(ctx, bootstrap, topic, true)
		return phase, err
	case "verify":
		return phase, consume(ctx, bootstrap, topic, expectedExplicit())
	}
	return "", fmt.Errorf("unknown phase %s", phase)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "txn" {
		if err := runTxn(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "FAIL franz-go v1.22.3 txn: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "share" {
		if err := runShare(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "FAIL franz-go v1.22.3 share: %v\n", err)
			os.Exit(1)
		}
		return
	}
	phase, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL franz-go v1.22.3: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("ok franz-go v1.22.3 %s: %d records, codecs %s\n", phase, len(codecs)*recordsPerCodec, strings.Join(codecs, ","))
}

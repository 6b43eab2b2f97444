// Kafka Streams word count (at-least-once) for tests/compat/frameworks/run-frameworks.sh, and the checks around it:
// the input it reads (deterministic lines, so the expected counts are known), the app itself, and the waits that
// judge its committed offsets, output counts, compacted changelog and purged repartition topic.
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueStore;

public final class StreamsWordCount {
  static final String[] WORDS = {
    "apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "heron", "islet", "juniper", "kestrel"
  };
  static final String STORE = "counts";
  static final String GROUPING = "words";

  /** The words of input line i: 1 to 4 words of the vocabulary, a fixed function of i. */
  static List<String> lineWords(long i) {
    List<String> out = new ArrayList<>();
    int n = (int) (i % 4) + 1;
    for (int j = 0; j < n; j++) out.add(WORDS[(int) ((i * 7 + j * 3 + i / 11) % WORDS.length)]);
    return out;
  }

  static Map<String, Long> expected(long lines) {
    Map<String, Long> counts = new TreeMap<>();
    for (long i = 0; i < lines; i++) for (String w : lineWords(i)) counts.merge(w, 1L, Long::sum);
    return counts;
  }

  static long updates(long lines) {
    long n = 0;
    for (long i = 0; i < lines; i++) n += lineWords(i).size();
    return n;
  }

  static Properties common(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return p;
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "setup" -> setup(args[1], args[2], args[3]);
      case "produce" -> produce(args[1], args[2], Long.parseLong(args[3]), Long.parseLong(args[4]),
          Integer.parseInt(args[5]), Long.parseLong(args[6]));
      case "app" -> app(args[1], args[2], args[3], args[4], args[5], Path.of(args[6]));
      case "wait-counts" -> waitCounts(args[1], args[2], args[3], args[4], Long.parseLong(args[5]),
          Long.parseLong(args[6]));
      case "wait-cleaned" -> waitCleaned(args[1], args[2], args[3], Long.parseLong(args[4]), Long.parseLong(args[5]));
      case "updates" -> System.out.println(updates(Long.parseLong(args[1])));
      case "start-offsets" -> startOffsets(args[1], args[2], Long.parseLong(args[3]));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  /** Creates the input topic (2 partitions) and the output topic. */
  static void setup(String bootstrap, String input, String output) throws Exception {
    try (Admin admin = Admin.create(common(bootstrap))) {
      admin.createTopics(List.of(new NewTopic(input, 2, (short) 1), new NewTopic(output, 2, (short) 1)))
          .all().get(60, TimeUnit.SECONDS);
    }
  }

  /** Produces lines [from, from + count) in `bursts` equal bursts, pauseMs apart (so the changelog rolls segments). */
  static void produce(String bootstrap, String topic, long from, long count, int bursts, long pauseMs)
      throws Exception {
    Properties p = common(bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      long per = (count + bursts - 1) / bursts;
      for (long i = from; i < from + count; i++) {
        if (i > from && (i - from) % per == 0) {
          producer.flush();
          Thread.sleep(pauseMs);
        }
        producer.send(new ProducerRecord<>(topic, "line-" + i, String.join(" ", lineWords(i))));
      }
      producer.flush();
    }
    System.out.println("produced lines " + from + ".." + (from + count - 1) + " in " + bursts + " bursts");
  }

  /** The word count app; runs until killed. Each restore's record count is appended to restoreFile. */
  static void app(String bootstrap, String appId, String input, String output, String stateDir, Path restoreFile)
      throws Exception {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "500");
    // No record cache: every count update goes to the changelog, so compaction has something to remove.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    p.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, "1000");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
    // A killed instance leaves the group after this, not after Streams' 45 s default.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");

    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
        .flatMapValues(line -> List.of(line.split(" ")))
        .groupBy((key, word) -> word, Grouped.with(GROUPING, Serdes.String(), Serdes.String()))
        .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(STORE)
            .withKeySerde(Serdes.String())
            .withValueSerde(Serdes.Long())
            .withCachingDisabled()
            // Small segments and a low dirty ratio so that the cleaner compacts the changelog within the test.
            .withLoggingEnabled(Map.of("segment.ms", "1000", "min.cleanable.dirty.ratio", "0.01")))
        .toStream()
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));

    KafkaStreams streams = new KafkaStreams(builder.build(), p);
    AtomicLong restored = new AtomicLong();
    streams.setGlobalStateRestoreListener(new StateRestoreListener() {
      @Override
      public void onRestoreStart(TopicPartition tp, String store, long start, long end) {
        log(restoreFile, "restore-start " + tp + " " + start + " " + end);
      }

      @Override
      public void onBatchRestored(TopicPartition tp, String store, long batchEnd, long n) {}

      @Override
      public void onRestoreEnd(TopicPartition tp, String store, long total) {
        log(restoreFile, "restored " + tp + " " + total + " records (all partitions so far: "
            + restored.addAndGet(total) + ")");
      }
    });
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      System.out.println("state " + before + " -> " + now);
      if (now == KafkaStreams.State.RUNNING) running.countDown();
      if (now == KafkaStreams.State.ERROR) System.exit(3);
    });
    streams.start();
    Thread.sleep(Long.MAX_VALUE);
  }

  static synchronized void log(Path file, String line) {
    try {
      line = line + " (pid " + ProcessHandle.current().pid() + ")";
      Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      System.out.println(line);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (int i = 0; i < partitions; i++) specs.put(new TopicPartition(topic, i), OffsetSpec.latest());
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(specs).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  /** Every record of a topic from the start to its end offsets. */
  static <K, V> List<ConsumerRecord<K, V>> readAll(String bootstrap, String topic, Map<TopicPartition, Long> ends,
      org.apache.kafka.common.serialization.Deserializer<K> kd,
      org.apache.kafka.common.serialization.Deserializer<V> vd) {
    Properties p = common(bootstrap);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<K, V>> out = new ArrayList<>();
    try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(p, kd, vd)) {
      consumer.assign(ends.keySet());
      consumer.seekToBeginning(ends.keySet());
      long deadline = System.currentTimeMillis() + 60_000;
      while (true) {
        boolean done = true;
        for (TopicPartition tp : ends.keySet()) if (consumer.position(tp) < ends.get(tp)) done = false;
        if (done) break;
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("could not read " + topic);
        for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) out.add(r);
        }
      }
    }
    return out;
  }

  /**
   * Waits until the app's group has committed the input's end offsets and the output's latest count per word is
   * the expected count of `lines` lines; prints the seconds it took. Exits 1 at the timeout with what it saw.
   */
  static void waitCounts(String bootstrap, String appId, String input, String output, long lines, long timeoutS)
      throws Exception {
    Map<String, Long> want = expected(lines);
    long started = System.currentTimeMillis();
    long deadline = started + timeoutS * 1000;
    String last = "";
    try (Admin admin = Admin.create(common(bootstrap))) {
      while (System.currentTimeMillis() < deadline) {
        Map<TopicPartition, Long> ends = endOffsets(admin, input);
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
        boolean caughtUp = true;
        for (var e : ends.entrySet()) {
          OffsetAndMetadata c = committed.get(e.getKey());
          if (c == null || c.offset() != e.getValue()) caughtUp = false;
        }
        Map<String, Long> got = new TreeMap<>();
        if (caughtUp) {
          for (var r : readAll(bootstrap, output, endOffsets(admin, output), new StringDeserializer(),
              new LongDeserializer())) {
            got.put(r.key(), r.value());
          }
          if (got.equals(want)) {
            System.out.println("counts exact after " + lines + " lines (" + updates(lines) + " words): " + got
                + "; group committed the input's end offsets " + ends.values() + " ("
                + (System.currentTimeMillis() - started) + " ms)");
            return;
          }
        }
        last = "committed " + committed + " ends " + ends + " counts " + got;
        Thread.sleep(1000);
      }
    }
    System.out.println("FAIL counts: want " + want + ", last seen " + last);
    System.exit(1);
  }

  /**
   * Waits until the changelog holds at most updates/10 records (the cleaner ran), then checks that its latest value
   * per word is the expected count; prints the record count and the seconds it took.
   */
  static void waitCleaned(String bootstrap, String changelog, String lines, long updates, long timeoutS)
      throws Exception {
    Map<String, Long> want = expected(Long.parseLong(lines));
    long started = System.currentTimeMillis();
    long deadline = started + timeoutS * 1000;
    long records = -1;
    try (Admin admin = Admin.create(common(bootstrap))) {
      while (System.currentTimeMillis() < deadline) {
        Map<TopicPartition, Long> ends = endOffsets(admin, changelog);
        var all = readAll(bootstrap, changelog, ends, new StringDeserializer(), new LongDeserializer());
        records = all.size();
        long endSum = ends.values().stream().mapToLong(Long::longValue).sum();
        if (records * 10 <= updates) {
          Map<String, Long> latest = new TreeMap<>();
          for (var r : all) latest.put(r.key(), r.value());
          if (!latest.equals(want)) {
            System.out.println("FAIL changelog: latest values " + latest + ", want " + want);
            System.exit(1);
          }
          System.out.println("changelog compacted: " + records + " records of " + updates + " updates (end offsets "
              + endSum + "), latest per word exact (" + (System.currentTimeMillis() - started) + " ms)");
          return;
        }
        Thread.sleep(2000);
      }
    }
    System.out.println("FAIL changelog: still " + records + " records of " + updates + " updates after " + timeoutS
        + " s");
    System.exit(1);
  }

  /** Waits until every partition of the topic that has records has a start offset above 0; prints them. */
  static void startOffsets(String bootstrap, String topic, long timeoutS) throws Exception {
    long started = System.currentTimeMillis();
    long deadline = started + timeoutS * 1000;
    String last = "";
    try (Admin admin = Admin.create(common(bootstrap))) {
      while (System.currentTimeMillis() < deadline) {
        Map<TopicPartition, Long> ends = endOffsets(admin, topic);
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (TopicPartition tp : ends.keySet()) specs.put(tp, OffsetSpec.earliest());
        Map<TopicPartition, Long> starts = new TreeMap<>((a, b) -> a.partition() - b.partition());
        admin.listOffsets(specs).all().get().forEach((tp, info) -> starts.put(tp, info.offset()));
        boolean moved = true;
        for (TopicPartition tp : ends.keySet()) if (ends.get(tp) > 0 && starts.get(tp) == 0) moved = false;
        Map<TopicPartition, Long> sortedEnds = new TreeMap<>((a, b) -> a.partition() - b.partition());
        sortedEnds.putAll(ends);
        last = "start offsets " + starts.values() + ", end offsets " + sortedEnds.values();
        if (moved) {
          System.out.println("repartition topic purged: " + last);
          return;
        }
        Thread.sleep(1000);
      }
    }
    System.out.println("FAIL repartition purge: " + last);
    System.exit(1);
  }
}

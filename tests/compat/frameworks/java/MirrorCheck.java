// MirrorMaker 2 check for tests/compat/frameworks/run-frameworks.sh: seeds two topics and two consumer groups on the
// source cluster, keeps producing while MirrorMaker runs, then judges the destination cluster: the topics copied record
// for record at the same offsets, the groups' committed offsets translated, consumers there resuming where they left off.
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class MirrorCheck {
  static final Map<String, Integer> TOPICS = Map.of("mm-orders", 2, "mm-events", 1);
  /** Records per topic in each of the two rounds: before MirrorMaker starts, and while it runs. */
  static final Map<String, Integer> RECORDS = Map.of("mm-orders", 1000, "mm-events", 250);
  /** Consumed everything and committed the end offsets, in both rounds: the group a migration moves. */
  static final String CAUGHT_UP = "mm-caught-up";
  /**
   * Consumed mm-orders in the first round only and stopped there: its committed offsets lie in the middle of the
   * topic once the second round is in. (MirrorMaker translates such an offset exactly only from an offset sync it saw
   * at or just before it; it emits syncs for the latest records it copied, and may skip earlier ones while its sync
   * producer is busy, so the group's offset is committed before MirrorMaker copies past it: that is what makes the
   * translation deterministic, on Kafka and Brook alike.)
   */
  static final String HALFWAY = "mm-halfway";

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "seed" -> seed(args[1]);
      case "wait-first" -> waitMirrored(args[1], args[2], Long.parseLong(args[3]), false);
      case "more" -> more(args[1]);
      case "wait-mirrored" -> waitMirrored(args[1], args[2], Long.parseLong(args[3]), true);
      case "resume" -> resume(args[1], args[2]);
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  static Properties props(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return p;
  }

  static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
    Properties p = props(bootstrap);
    if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  static Map<TopicPartition, Long> offsets(Admin admin, OffsetSpec spec) throws Exception {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    TOPICS.forEach((t, n) -> {
      for (int i = 0; i < n; i++) specs.put(new TopicPartition(t, i), spec);
    });
    Map<TopicPartition, Long> out = new TreeMap<>(MirrorCheck::compare);
    admin.listOffsets(specs).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  static int compare(TopicPartition a, TopicPartition b) {
    int c = a.topic().compareTo(b.topic());
    return c != 0 ? c : Integer.compare(a.partition(), b.partition());
  }

  /** Records of tp from `from` to `to` (exclusive), as "offset key value". */
  static List<String> read(KafkaConsumer<String, String> c, TopicPartition tp, long from, long to) {
    List<String> out = new ArrayList<>();
    c.assign(List.of(tp));
    c.seek(tp, from);
    long deadline = System.currentTimeMillis() + 60_000;
    while (c.position(tp) < to) {
      if (System.currentTimeMillis() > deadline) throw new IllegalStateException("could not read " + tp);
      for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
        if (r.offset() < to) out.add(r.offset() + " " + r.key() + " " + r.value());
      }
    }
    return out;
  }

  /**
   * Creates the topics on the source and produces the first round; mm-caught-up and mm-halfway consume it with real
   * consumers and commit what they consumed.
   */
  static void seed(String source) throws Exception {
    try (Admin admin = Admin.create(props(source))) {
      List<NewTopic> topics = new ArrayList<>();
      TOPICS.forEach((t, n) -> topics.add(new NewTopic(t, n, (short) 1)));
      admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
      produce(source, 0);
      Map<TopicPartition, Long> ends = offsets(admin, OffsetSpec.latest());
      consumeAndCommit(source, CAUGHT_UP, new ArrayList<>(TOPICS.keySet()), ends);
      consumeAndCommit(source, HALFWAY, List.of("mm-orders"), ends);
      System.out.println("seeded: end offsets " + ends + "; both groups committed them");
    }
  }

  /** The second round, produced while MirrorMaker runs; mm-caught-up consumes it and commits, mm-halfway does not. */
  static void more(String source) throws Exception {
    produce(source, 1);
    try (Admin admin = Admin.create(props(source))) {
      Map<TopicPartition, Long> ends = offsets(admin, OffsetSpec.latest());
      consumeAndCommit(source, CAUGHT_UP, new ArrayList<>(TOPICS.keySet()), ends);
      System.out.println("second round: end offsets " + ends + "; " + CAUGHT_UP + " committed them, " + HALFWAY
          + " stayed at " + committed(admin, HALFWAY));
    }
  }

  /** Produces round `round` (0 or 1) of every topic, acks=all, keys and values numbered on from the last round. */
  static void produce(String source, int round) throws Exception {
    Properties p = props(source);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (var e : RECORDS.entrySet()) {
        int n = e.getValue();
        for (int i = round * n; i < (round + 1) * n; i++) {
          producer.send(new ProducerRecord<>(e.getKey(), "key-" + i, e.getKey() + "-value-" + i));
        }
      }
      producer.flush();
    }
  }

  /** A consumer of `group` subscribes to `topics`, polls until it has consumed up to `ends`, and commits that. */
  static void consumeAndCommit(String bootstrap, String group, List<String> topics, Map<TopicPartition, Long> ends) {
    try (KafkaConsumer<String, String> c = consumer(bootstrap, group)) {
      c.subscribe(topics);
      long deadline = System.currentTimeMillis() + 120_000;
      Map<TopicPartition, Long> position = new HashMap<>();
      while (true) {
        boolean done = true;
        for (var e : ends.entrySet()) {
          if (topics.contains(e.getKey().topic()) && position.getOrDefault(e.getKey(), 0L) < e.getValue()) done = false;
        }
        if (done) break;
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException(group + " reached only " + position);
        for (var r : c.poll(Duration.ofMillis(500))) {
          position.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        }
      }
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      position.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
      c.commitSync(commit);
    }
  }

  static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
    Map<TopicPartition, Long> out = new TreeMap<>(MirrorCheck::compare);
    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((tp, o) -> {
      if (o != null && TOPICS.containsKey(tp.topic())) out.put(tp, o.offset());
    });
    return out;
  }

  /**
   * Waits until the destination holds both topics with the source's end offsets and the same records at the same
   * offsets, mm-caught-up's committed offsets there are the end offsets, and mm-halfway's are translated: after the
   * first round, exactly (its offsets are then the end offsets too); after the second, still present on every
   * mm-orders partition and at most the source's (MirrorMaker never moves a translated offset back, nor past the
   * source's). Prints the figures and the time taken.
   */
  static void waitMirrored(String source, String dest, long timeoutS, boolean second) throws Exception {
    long started = System.currentTimeMillis();
    long deadline = started + timeoutS * 1000;
    String last = "nothing yet";
    try (Admin src = Admin.create(props(source)); Admin dst = Admin.create(props(dest))) {
      Map<TopicPartition, Long> ends = offsets(src, OffsetSpec.latest());
      Map<TopicPartition, Long> halfSrc = committed(src, HALFWAY);
      boolean copied = false;
      while (System.currentTimeMillis() < deadline) {
        try {
          if (!copied) {
            Map<TopicPartition, Long> dstEnds = offsets(dst, OffsetSpec.latest());
            if (!dstEnds.equals(ends)) {
              last = "destination end offsets " + dstEnds + ", source " + ends;
              Thread.sleep(1000);
              continue;
            }
            try (KafkaConsumer<String, String> a = consumer(source, null);
                KafkaConsumer<String, String> b = consumer(dest, null)) {
              for (var e : ends.entrySet()) {
                List<String> want = read(a, e.getKey(), 0, e.getValue());
                List<String> got = read(b, e.getKey(), 0, e.getValue());
                if (!want.equals(got)) {
                  System.out.println("FAIL mirror: " + e.getKey() + " differs, first source " + want.get(0)
                      + ", destination " + (got.isEmpty() ? "none" : got.get(0)));
                  System.exit(1);
                }
              }
            }
            copied = true;
            System.out.println("copied after " + (System.currentTimeMillis() - started) + " ms: " + ends
                + " records, the same at the same offsets");
          }
          Map<TopicPartition, Long> caught = committed(dst, CAUGHT_UP);
          Map<TopicPartition, Long> half = committed(dst, HALFWAY);
          last = CAUGHT_UP + " on the destination " + caught + " (want " + ends + "), " + HALFWAY + " " + half
              + " (source " + halfSrc + ")";
          boolean halfDone = second ? half.keySet().equals(halfSrc.keySet()) : half.equals(halfSrc);
          if (caught.equals(ends) && halfDone) {
            for (var e : half.entrySet()) {
              if (e.getValue() > halfSrc.get(e.getKey())) {
                System.out.println("FAIL mirror: " + HALFWAY + " translated past the source: " + last);
                System.exit(1);
              }
            }
            System.out.println("offsets translated after " + (System.currentTimeMillis() - started) + " ms: " + last);
            return;
          }
        } catch (java.util.concurrent.ExecutionException e) {
          last = e.getCause().toString();
        }
        Thread.sleep(1000);
      }
    }
    System.out.println("FAIL mirror after " + timeoutS + " s" + (second ? "" : " (first round)") + ": " + last);
    System.exit(1);
  }

  /**
   * After the move: 10 new records produced to mm-orders on the destination; mm-caught-up consuming there gets exactly
   * those 10, and mm-halfway gets every record from its source-committed offset on (at-least-once: a few before it
   * again at most), nothing skipped.
   */
  static void resume(String source, String dest) throws Exception {
    Map<TopicPartition, Long> halfSrc;
    try (Admin src = Admin.create(props(source))) {
      halfSrc = committed(src, HALFWAY);
    }
    Properties p = props(dest);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>("mm-orders", "new-" + i, "after-the-move-" + i));
      producer.flush();
    }
    Map<TopicPartition, Long> ends;
    try (Admin dst = Admin.create(props(dest))) {
      ends = offsets(dst, OffsetSpec.latest());
    }
    List<String> problems = new ArrayList<>();
    // mm-caught-up on the destination.
    List<String> got = new ArrayList<>();
    Map<TopicPartition, Long> firstSeen = new TreeMap<>(MirrorCheck::compare);
    try (KafkaConsumer<String, String> c = consumer(dest, CAUGHT_UP)) {
      c.subscribe(new ArrayList<>(TOPICS.keySet()));
      long deadline = System.currentTimeMillis() + 120_000;
      while (got.size() < 10 && System.currentTimeMillis() < deadline) {
        for (var r : c.poll(Duration.ofMillis(500))) got.add(r.value());
      }
      // A little longer, so that anything more (an old record read again) would show.
      long until = System.currentTimeMillis() + 3000;
      while (System.currentTimeMillis() < until) for (var r : c.poll(Duration.ofMillis(500))) got.add(r.value());
      c.commitSync();
    }
    if (got.size() != 10 || !got.stream().allMatch(v -> v.startsWith("after-the-move-"))) {
      problems.add(CAUGHT_UP + " read " + got.size() + " records on the destination, want the 10 new ones: "
          + got.subList(0, Math.min(5, got.size())));
    }
    // mm-halfway on the destination.
    long reread = 0;
    long read = 0;
    try (KafkaConsumer<String, String> c = consumer(dest, HALFWAY)) {
      c.subscribe(List.of("mm-orders"));
      Map<TopicPartition, Long> position = new HashMap<>();
      long deadline = System.currentTimeMillis() + 120_000;
      boolean done = false;
      while (!done && System.currentTimeMillis() < deadline) {
        for (var r : c.poll(Duration.ofMillis(500))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          firstSeen.putIfAbsent(tp, r.offset());
          position.put(tp, r.offset() + 1);
          read++;
          if (r.offset() < halfSrc.get(tp)) reread++;
        }
        done = true;
        for (var e : halfSrc.keySet()) if (position.getOrDefault(e, -1L) < ends.get(e)) done = false;
      }
      if (!done) problems.add(HALFWAY + " did not reach the end: " + position + ", want " + ends);
      for (var e : halfSrc.entrySet()) {
        Long first = firstSeen.get(e.getKey());
        if (first == null || first > e.getValue()) {
          problems.add(HALFWAY + " skipped records on " + e.getKey() + ": first read " + first + ", committed "
              + e.getValue());
        }
      }
    }
    if (!problems.isEmpty()) {
      System.out.println("FAIL resume: " + String.join("; ", problems));
      System.exit(1);
    }
    System.out.println("consumers resumed on the destination: " + CAUGHT_UP + " read only the 10 new records, "
        + HALFWAY + " read " + read + " from " + firstSeen + " (source committed " + halfSrc + "; " + reread
        + " read again)");
  }
}

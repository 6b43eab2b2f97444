// Transactions (issue 12) compatibility program for tests/compat/txn/run-txn.sh, built on Kafka's own Java
// client (4.4). Modes:
//   setup BOOTSTRAP TOPIC PARTITIONS [COUNT]
//        create TOPIC with PARTITIONS partitions; with COUNT, produce "0".."COUNT-1" (idempotent, acks=all),
//        keyed by the value, so they spread over the partitions
//   visibility BOOTSTRAP TOPIC TXID
//        the Java transactional producer with read_committed consumers on a 2-partition TOPIC (made here):
//        commit, abort, an abort interleaved with another producer's committed records, then an open
//        transaction held while a read_committed consumer polls (its position must stay at the LSO, and
//        records committed after the open transaction began must stay invisible too), then its commit.
//        Prints what it checked; exits 1 with the reasons on any failure
//   process BOOTSTRAP IN OUT GROUP TXID WORK_MS [finish]
//        consume-transform-produce: reads IN (read_committed, group GROUP, static member), writes
//        "value" -> OUT inside transactions with the input offsets (sendOffsetsToTransaction); spends
//        WORK_MS per record; prints "first transaction committed" after its first commit. Runs until
//        killed, or with "finish" until every input partition's committed offset is its end offset
//   read BOOTSTRAP TOPIC ISOLATION SECONDS
//        prints every record value of TOPIC (read_committed or read_uncommitted), one a line, reading until
//        the end offsets for that isolation level are reached (at most SECONDS)
//   hold BOOTSTRAP TOPIC TXID READYFILE RELEASEFILE
//        begins a transaction (transaction.timeout.ms 60000), sends 10 records to partition 0 of TOPIC,
//        flushes, writes "firstOffset" into READYFILE, waits for RELEASEFILE, commits; then writes
//        READYFILE.done
//   share BOOTSTRAP TOPIC TXID
//        share groups and transactions (KIP-932 share.isolation.level) on a 1-partition TOPIC (made here):
//        a committed transaction (c-*), an aborted one (a-*), an open one (o-*, held) and plain records
//        written after it (late-*); a KafkaShareConsumer of a group with share.isolation.level=
//        read_committed gets only c-* while the transaction is open, then o-* and late-* after its commit,
//        never a-*; a group with read_uncommitted (the default) gets every record. Both groups start at
//        earliest (share.auto.offset.reset). Exits 1 with the reasons on any failure
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class TxnCheck {
  private static final List<String> problems = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "";
    switch (mode) {
      case "setup" -> setup(args[1], args[2], Integer.parseInt(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : 0);
      case "visibility" -> visibility(args[1], args[2], args[3]);
      case "process" -> process(args[1], args[2], args[3], args[4], args[5], Integer.parseInt(args[6]), args.length > 7);
      case "read" -> read(args[1], args[2], args[3], Integer.parseInt(args[4]));
      case "hold" -> hold(args[1], args[2], args[3], args[4], args[5]);
      case "share" -> share(args[1], args[2], args[3]);
      default -> {
        System.err.println("usage: TxnCheck setup|visibility|process|read|hold|share ... (see the file's opening comment)");
        System.exit(2);
      }
    }
  }

  static Properties common(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    return p;
  }

  static KafkaProducer<String, String> producer(String bootstrap, String txid) {
    Properties p = common(bootstrap);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    if (txid != null) {
      p.put("transactional.id", txid);
      p.put("transaction.timeout.ms", "60000");
    }
    return new KafkaProducer<>(p);
  }

  static KafkaConsumer<String, String> consumer(String bootstrap, String isolation, String group) {
    Properties p = common(bootstrap);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("isolation.level", isolation);
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "earliest");
    if (group != null) p.put("group.id", group);
    return new KafkaConsumer<>(p);
  }

  static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(common(bootstrap))) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw e;
      }
      // Wait until the topic's partitions have a leader (metadata can lag a creation).
      long deadline = System.currentTimeMillis() + 30_000;
      while (true) {
        try {
          var d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
          if (d.partitions().size() == partitions && d.partitions().stream().allMatch(x -> x.leader() != null)) return;
        } catch (ExecutionException e) {
          if (System.currentTimeMillis() > deadline) throw e;
        }
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("topic " + topic + " has no leaders");
        Thread.sleep(100);
      }
    }
  }

  static void setup(String bootstrap, String topic, int partitions, int count) throws Exception {
    createTopic(bootstrap, topic, partitions);
    if (count == 0) return;
    try (KafkaProducer<String, String> producer = producer(bootstrap, null)) {
      for (int i = 0; i < count; i++) producer.send(new ProducerRecord<>(topic, String.valueOf(i), String.valueOf(i)));
      producer.flush();
    }
  }

  // --- visibility ---

  static void check(boolean ok, String what) {
    System.out.println((ok ? "ok   " : "FAIL ") + what);
    if (!ok) problems.add(what);
  }

  /** Sends "prefix-0".."prefix-(n-1)" alternately to partitions 0 and 1; returns the metadata of each. */
  static List<RecordMetadata> send(KafkaProducer<String, String> producer, String topic, String prefix, int n)
      throws Exception {
    List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++)
      futures.add(producer.send(new ProducerRecord<>(topic, i % 2, prefix + "-" + i, prefix + "-" + i)));
    producer.flush();
    List<RecordMetadata> out = new ArrayList<>();
    for (var f : futures) out.add(f.get());
    return out;
  }

  static List<String> values(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(prefix + "-" + i);
    return out;
  }

  /** Reads both partitions from the start until the consumer's end offsets are reached (at most 30 s). */
  static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic, String isolation) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = consumer(bootstrap, isolation, null)) {
      List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        boolean done = true;
        for (TopicPartition tp : tps) done &= c.position(tp) >= end.get(tp);
        if (done) break;
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) out.add(r);
      }
    }
    return out;
  }

  static List<String> valuesOf(Collection<ConsumerRecord<String, String>> records) {
    List<String> out = new ArrayList<>();
    for (var r : records) out.add(r.value());
    return out;
  }

  static boolean sameSet(List<String> got, List<String> want) {
    return got.size() == want.size() && new java.util.HashSet<>(got).equals(new java.util.HashSet<>(want));
  }

  static String brief(List<String> values) {
    return values.size() <= 8 ? values.toString() : values.subList(0, 8) + "... (" + values.size() + ")";
  }

  static void visibility(String bootstrap, String topic, String txid) throws Exception {
    createTopic(bootstrap, topic, 2);
    List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
    List<String> committed = new ArrayList<>();
    List<String> aborted = new ArrayList<>();
    try (KafkaProducer<String, String> p = producer(bootstrap, txid);
        KafkaProducer<String, String> other = producer(bootstrap, txid + "-other")) {
      p.initTransactions();
      other.initTransactions();
      // 1. committed, aborted, committed.
      p.beginTransaction();
      send(p, topic, "c1", 50);
      p.commitTransaction();
      committed.addAll(values("c1", 50));
      p.beginTransaction();
      send(p, topic, "a1", 50);
      p.abortTransaction();
      aborted.addAll(values("a1", 50));
      p.beginTransaction();
      send(p, topic, "c2", 50);
      p.commitTransaction();
      committed.addAll(values("c2", 50));
      // 2. An aborted transaction interleaved with another producer's committed one on the same partitions.
      p.beginTransaction();
      other.beginTransaction();
      send(p, topic, "a2x", 20);
      send(other, topic, "c3x", 20);
      send(p, topic, "a2y", 20);
      other.commitTransaction();
      send(p, topic, "a2z", 20);
      p.abortTransaction();
      committed.addAll(values("c3x", 20));
      for (String s : List.of("a2x", "a2y", "a2z")) aborted.addAll(values(s, 20));

      List<String> rc = valuesOf(readAll(bootstrap, topic, "read_committed"));
      check(sameSet(rc, committed) && rc.stream().noneMatch(aborted::contains),
          "read_committed reads the " + committed.size() + " committed records once each and no aborted one (got "
              + rc.size() + ", aborted among them " + rc.stream().filter(aborted::contains).count() + ")");
      List<String> ru = valuesOf(readAll(bootstrap, topic, "read_uncommitted"));
      List<String> all = new ArrayList<>(committed);
      all.addAll(aborted);
      check(sameSet(ru, all), "read_uncommitted reads all " + all.size() + " records, aborted ones included (got "
          + ru.size() + ")");

      // 3. An open transaction: records sent and acknowledged, not committed.
      p.beginTransaction();
      List<RecordMetadata> open = send(p, topic, "o", 20);
      Map<TopicPartition, Long> lso = new HashMap<>();
      for (RecordMetadata m : open) lso.merge(new TopicPartition(topic, m.partition()), m.offset(), Math::min);
      // Another producer commits after the open transaction began: its records lie beyond the LSO too.
      other.beginTransaction();
      send(other, topic, "c4", 20);
      other.commitTransaction();
      try (Admin admin = Admin.create(common(bootstrap));
          KafkaConsumer<String, String> c = consumer(bootstrap, "read_committed", null)) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartition tp : tps) latest.put(tp, OffsetSpec.latest());
        var rcLatest = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        var ruLatest = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get();
        for (TopicPartition tp : tps) {
          check(rcLatest.get(tp).offset() == lso.get(tp), "ListOffsets latest read_committed on " + tp + " is the LSO "
              + lso.get(tp) + " (got " + rcLatest.get(tp).offset() + ")");
          check(ruLatest.get(tp).offset() > lso.get(tp) + 10, "ListOffsets latest read_uncommitted on " + tp
              + " is past the open transaction (got " + ruLatest.get(tp).offset() + ", LSO " + lso.get(tp) + ")");
        }
        c.assign(tps);
        c.seekToBeginning(tps);
        List<String> seen = new ArrayList<>();
        long until = System.currentTimeMillis() + 6_000;
        while (System.currentTimeMillis() < until)
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) seen.add(r.value());
        check(sameSet(seen, committed), "while a transaction is open, read_committed reads only the " + committed.size()
            + " records committed before it (got " + seen.size() + ", beyond: "
            + brief(seen.stream().filter(v -> v.startsWith("o-") || v.startsWith("c4-")).toList()) + ")");
        for (TopicPartition tp : tps)
          check(c.position(tp) == lso.get(tp), "the read_committed consumer's position on " + tp
              + " stays at the LSO " + lso.get(tp) + " for 6 s (got " + c.position(tp) + ")");
        Map<TopicPartition, Long> end = c.endOffsets(tps);
        for (TopicPartition tp : tps)
          check(end.get(tp).equals(lso.get(tp)), "read_committed endOffsets on " + tp + " is the LSO (got " + end.get(tp) + ")");
        p.commitTransaction();
        committed.addAll(values("o", 20));
        committed.addAll(values("c4", 20));
        List<String> after = new ArrayList<>();
        until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until && after.size() < 40)
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) after.add(r.value());
        List<String> want = new ArrayList<>(values("o", 20));
        want.addAll(values("c4", 20));
        check(sameSet(after, want), "after the commit the same consumer reads the 20 held and the 20 later records ("
            + after.size() + " read)");
      }
    }
    System.out.println(problems.isEmpty() ? "PASS" : "FAILED " + problems.size());
    System.exit(problems.isEmpty() ? 0 : 1);
  }

  // --- consume-transform-produce ---

  static void process(String bootstrap, String in, String out, String group, String txid, int workMs, boolean finish)
      throws Exception {
    Properties cp = common(bootstrap);
    cp.put("key.deserializer", StringDeserializer.class.getName());
    cp.put("value.deserializer", StringDeserializer.class.getName());
    cp.put("isolation.level", "read_committed");
    cp.put("enable.auto.commit", "false");
    cp.put("auto.offset.reset", "earliest");
    cp.put("group.id", group);
    cp.put("group.instance.id", txid);
    cp.put("session.timeout.ms", "10000");
    cp.put("max.poll.records", "50");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp);
        KafkaProducer<String, String> producer = producer(bootstrap, txid)) {
      producer.initTransactions();
      consumer.subscribe(List.of(in));
      long idleSince = System.currentTimeMillis();
      long transactions = 0;
      while (true) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          if (finish && System.currentTimeMillis() - idleSince > 2_000 && caughtUp(consumer, bootstrap, group, in)) break;
          continue;
        }
        idleSince = System.currentTimeMillis();
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
          if (workMs > 0) Thread.sleep(workMs);
          producer.send(new ProducerRecord<>(out, r.key(), r.value()));
          offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        if (transactions++ == 0) {
          System.out.println("first transaction committed");
          System.out.flush();
        }
      }
      System.out.println("caught up after " + transactions + " transactions");
    }
  }

  /** True when the group's committed offset (read stable) of every partition of IN is its end offset. */
  static boolean caughtUp(KafkaConsumer<String, String> consumer, String bootstrap, String group, String in) {
    List<TopicPartition> tps = new ArrayList<>();
    for (var info : consumer.partitionsFor(in)) tps.add(new TopicPartition(in, info.partition()));
    Map<TopicPartition, Long> end = consumer.endOffsets(tps);
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(tps));
    for (TopicPartition tp : tps) {
      OffsetAndMetadata c = committed.get(tp);
      if (c == null || c.offset() < end.get(tp)) return false;
    }
    return true;
  }

  // --- read ---

  static void read(String bootstrap, String topic, String isolation, int seconds) {
    try (KafkaConsumer<String, String> c = consumer(bootstrap, isolation, null)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (var info : c.partitionsFor(topic)) tps.add(new TopicPartition(topic, info.partition()));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.currentTimeMillis() + seconds * 1000L;
      StringBuilder sb = new StringBuilder();
      while (System.currentTimeMillis() < deadline) {
        boolean done = true;
        for (TopicPartition tp : tps) done &= c.position(tp) >= end.get(tp);
        if (done) break;
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) sb.append(r.value()).append('\n');
      }
      System.out.print(sb);
      for (TopicPartition tp : tps)
        if (c.position(tp) < end.get(tp)) {
          System.err.println("did not reach the end of " + tp + ": position " + c.position(tp) + ", end " + end.get(tp));
          System.exit(1);
        }
    }
  }

  // --- hold ---

  static void hold(String bootstrap, String topic, String txid, String readyFile, String releaseFile) throws Exception {
    try (KafkaProducer<String, String> p = producer(bootstrap, txid)) {
      p.initTransactions();
      p.beginTransaction();
      List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>();
      for (int i = 0; i < 10; i++) futures.add(p.send(new ProducerRecord<>(topic, 0, "h-" + i, "h-" + i)));
      p.flush();
      long first = futures.get(0).get().offset();
      Files.writeString(Path.of(readyFile), first + "\n", StandardCharsets.UTF_8);
      long deadline = System.currentTimeMillis() + 300_000;
      while (!Files.exists(Path.of(releaseFile)) && System.currentTimeMillis() < deadline) Thread.sleep(100);
      p.commitTransaction();
      Files.writeString(Path.of(readyFile + ".done"), "committed\n", StandardCharsets.UTF_8);
    }
  }

  // --- share ---

  /** Sets the share group's start (earliest) and isolation level before any member joins. */
  static void shareGroupConfig(String bootstrap, String group, String isolation) throws Exception {
    try (Admin admin = Admin.create(common(bootstrap))) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
      admin.incrementalAlterConfigs(Map.of(resource, List.of(
          new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
          new AlterConfigOp(new ConfigEntry("share.isolation.level", isolation), AlterConfigOp.OpType.SET))))
          .all().get();
    }
  }

  static KafkaShareConsumer<String, String> shareConsumer(String bootstrap, String group, String topic) {
    Properties p = common(bootstrap);
    p.put("group.id", group);
    KafkaShareConsumer<String, String> c =
        new KafkaShareConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  /** Polls (implicit acknowledgement) for `seconds`, or until `want` values arrived and 2 s more passed. */
  static List<String> sharePoll(KafkaShareConsumer<String, String> c, int seconds, int want) {
    List<String> got = new ArrayList<>();
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    long settle = Long.MAX_VALUE;
    while (System.currentTimeMillis() < Math.min(deadline, settle)) {
      for (var r : c.poll(Duration.ofMillis(200))) got.add(r.value());
      if (want > 0 && got.size() >= want && settle == Long.MAX_VALUE) settle = System.currentTimeMillis() + 2000;
    }
    return got;
  }

  static void share(String bootstrap, String topic, String txid) throws Exception {
    createTopic(bootstrap, topic, 1);
    String committedGroup = topic + "-rc";
    String uncommittedGroup = topic + "-ru";
    shareGroupConfig(bootstrap, committedGroup, "read_committed");
    shareGroupConfig(bootstrap, uncommittedGroup, "read_uncommitted");
    List<String> c = values("c", 5), a = values("a", 5), o = values("o", 5), late = values("late", 3);
    try (KafkaProducer<String, String> txn = producer(bootstrap, txid);
        KafkaProducer<String, String> plain = producer(bootstrap, null);
        KafkaShareConsumer<String, String> rc = shareConsumer(bootstrap, committedGroup, topic);
        KafkaShareConsumer<String, String> ru = shareConsumer(bootstrap, uncommittedGroup, topic)) {
      txn.initTransactions();
      for (var group : List.of(c, a, o)) {
        txn.beginTransaction();
        for (String v : group) txn.send(new ProducerRecord<>(topic, 0, v, v));
        txn.flush();
        if (group == c) txn.commitTransaction();
        else if (group == a) txn.abortTransaction();
      }
      for (String v : late) plain.send(new ProducerRecord<>(topic, 0, v, v)).get();
      // The transaction of o-* is open now.
      List<String> before = sharePoll(rc, 8, 0);
      check(sameSet(before, c), "read_committed share group while a transaction is open: c-0..4 only, got " + brief(before));
      List<String> all = new ArrayList<>();
      all.addAll(c);
      all.addAll(a);
      all.addAll(o);
      all.addAll(late);
      List<String> everything = sharePoll(ru, 20, all.size());
      check(sameSet(everything, all), "read_uncommitted share group: all 18 records, got " + brief(everything));
      txn.commitTransaction();
      List<String> after = sharePoll(rc, 20, o.size() + late.size());
      List<String> rest = new ArrayList<>(o);
      rest.addAll(late);
      check(sameSet(after, rest), "read_committed share group after the commit: o-0..4 and late-0..2, got " + brief(after));
    }
    if (!problems.isEmpty()) {
      System.out.println("FAIL " + problems.size() + " problem(s)");
      System.exit(1);
    }
  }
}

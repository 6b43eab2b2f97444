// Share-group (KIP-932) compatibility program for tests/compat/share/run-share.sh, built on Kafka's own Java
// client. Modes:
//   setup  BOOTSTRAP TOPIC GROUP COUNT [PER_BATCH]
//                                        create a 1-partition topic, set the group's share.auto.offset.reset
//                                        to earliest, produce COUNT records "0".."COUNT-1" (acks=all); with
//                                        PER_BATCH, flushed every PER_BATCH records (batches that small, so
//                                        that one fetch cannot take them all as one batch)
//   worker BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE [WORK_MS [UNSUREFILE]]
//                                        a KafkaShareConsumer (explicit acknowledgement) that spends WORK_MS
//                                        (default 0) on each record, accepts it and appends
//                                        "offset value deliveryCount" to OUTFILE once the acknowledgement is
//                                        committed; stops when STOPFILE exists. With UNSUREFILE, records whose
//                                        commit failed or threw (the broker died meanwhile) go there, and the
//                                        worker goes on
//   dlqsetup BOOTSTRAP TOPIC GROUP COUNT DLQTOPIC TOPICCONFIG
//                                        as setup, and the group gets share.delivery.count.limit=2 and the
//                                        dead-letter topic DLQTOPIC (created; with the topic config
//                                        errors.deadletterqueue.group.enable=true when TOPICCONFIG is "yes")
//   poison BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE POISON
//                                        a share worker that RELEASEs the record whose value is POISON and
//                                        ACCEPTs the others; appends "offset value deliveryCount TYPE"
//   dump BOOTSTRAP TOPIC SECONDS         prints each record of TOPIC (from the start) as
//                                        "offset value header=value ..." (tab-separated)
//   hold BOOTSTRAP TOPIC GROUP OUTFILE LOCKMS
//                                        sets the group's share.record.lock.duration.ms to LOCKMS, then a share
//                                        worker that polls until it gets records, appends "offset value
//                                        deliveryCount" for each to OUTFILE and holds them, never acknowledging
//                                        (to be SIGKILLed)
//   implicit BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE [WORK_MS]
//                                        a KafkaShareConsumer in implicit acknowledgement mode: it spends WORK_MS
//                                        on each record and appends "offset value deliveryCount" per record
//                                        delivered; it never calls acknowledge(): every second batch is
//                                        accepted by commitSync(), the others by the next poll (and the last
//                                        one by close()); touches OUTFILE.ready after its first poll
//   produce BOOTSTRAP TOPIC COUNT PER_BATCH
//                                        produce COUNT records "0".."COUNT-1", flushed every PER_BATCH
//   implicithold BOOTSTRAP TOPIC GROUP OUTFILE LOCKMS
//                                        as hold, but the consumer is in implicit acknowledgement mode (its
//                                        batch would be accepted by the next poll, which never comes)
//   group BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE
//                                        a classic consumer-group member appending "offset value" per record
import java.io.FileWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class ShareWorker {
  public static void main(String[] args) throws Exception {
    if (args.length >= 5 && args[0].equals("setup"))
      setup(args[1], args[2], args[3], Integer.parseInt(args[4]), args.length > 5 ? Integer.parseInt(args[5]) : 0);
    else if (args.length >= 7 && args[0].equals("dlqsetup")) {
      setup(args[1], args[2], args[3], Integer.parseInt(args[4]), 0);
      dlqSetup(args[1], args[3], args[5], args[6].equals("yes"));
    } else if (args.length >= 7 && args[0].equals("poison")) poison(args[1], args[2], args[3], args[4], args[5], args[6]);
    else if (args.length >= 4 && args[0].equals("dump")) dump(args[1], args[2], Integer.parseInt(args[3]));
    else if (args.length >= 6 && args[0].equals("group")) group(args[1], args[2], args[3], args[4], args[5]);
    else if (args.length >= 6 && args[0].equals("hold")) hold(args[1], args[2], args[3], args[4], args[5], "explicit");
    else if (args.length >= 6 && args[0].equals("implicithold"))
      hold(args[1], args[2], args[3], args[4], args[5], "implicit");
    else if (args.length >= 5 && args[0].equals("produce"))
      produce(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    else if (args.length >= 6 && args[0].equals("implicit"))
      implicitWork(args[1], args[2], args[3], args[4], args[5], args.length > 6 ? Long.parseLong(args[6]) : 0);
    else if (args.length >= 6 && args[0].equals("worker"))
      work(args[1], args[2], args[3], args[4], args[5], args.length > 6 ? Long.parseLong(args[6]) : 0,
          args.length > 7 ? args[7] : null);
    else {
      System.err.println("usage: setup BOOTSTRAP TOPIC GROUP COUNT | worker BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE [WORK_MS]");
      System.exit(2);
    }
  }

  static void setup(String bootstrap, String topic, String group, int count, int perBatch) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
      AlterConfigOp earliest =
          new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET);
      admin.incrementalAlterConfigs(Map.of(resource, List.of(earliest))).all().get();
    }
    produce(bootstrap, topic, count, perBatch);
  }

  static void produce(String bootstrap, String topic, int count, int perBatch) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "all");
    props.put("linger.ms", "5");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, null, Integer.toString(i)));
        if (perBatch > 0 && (i + 1) % perBatch == 0) producer.flush();
      }
      producer.flush();
    }
    System.out.println(count + " records in " + topic);
  }

  static void work(
      String bootstrap, String topic, String group, String outFile, String stopFile, long workMs, String unsureFile)
      throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", group);
    props.put("share.acknowledgement.mode", "explicit");
    props.put("max.poll.records", "100");
    try (KafkaShareConsumer<String, String> consumer =
            new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        PrintWriter out = new PrintWriter(new FileWriter(outFile, true), true)) {
      consumer.subscribe(List.of(topic));
      while (!Files.exists(Path.of(stopFile))) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        List<String> lines = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
          if (workMs > 0) Thread.sleep(workMs);
          consumer.acknowledge(record, AcknowledgeType.ACCEPT);
          Optional<Short> count = record.deliveryCount();
          lines.add(record.offset() + " " + record.value() + " " + count.map(String::valueOf).orElse("?"));
        }
        if (lines.isEmpty()) continue;
        // Only records whose acknowledgement the broker confirmed count as accepted.
        boolean failed;
        try {
          Map<TopicIdPartition, Optional<KafkaException>> results = consumer.commitSync(Duration.ofSeconds(30));
          failed = results.values().stream().anyMatch(Optional::isPresent);
          if (failed) System.err.println("acknowledgement failed: " + results);
        } catch (KafkaException e) {
          if (unsureFile == null) throw e;
          System.err.println("commit threw: " + e);
          failed = true;
        }
        if (!failed) for (String line : lines) out.println(line);
        else if (unsureFile != null)
          try (PrintWriter unsure = new PrintWriter(new FileWriter(unsureFile, true), true)) {
            for (String line : lines) unsure.println(line);
          }
      }
    }
  }

  static void implicitWork(String bootstrap, String topic, String group, String outFile, String stopFile, long workMs)
      throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", group);
    props.put("share.acknowledgement.mode", "implicit");
    props.put("max.poll.records", "50");
    try (KafkaShareConsumer<String, String> consumer =
            new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        PrintWriter out = new PrintWriter(new FileWriter(outFile, true), true)) {
      consumer.subscribe(List.of(topic));
      long batches = 0;
      boolean ready = false;
      while (!Files.exists(Path.of(stopFile))) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        if (!ready) {
          Files.writeString(Path.of(outFile + ".ready"), "");
          ready = true;
        }
        if (records.isEmpty()) continue;
        for (ConsumerRecord<String, String> record : records) {
          if (workMs > 0) Thread.sleep(workMs);
          out.println(record.offset() + " " + record.value() + " " + record.deliveryCount().map(String::valueOf).orElse("?"));
        }
        // Implicit mode: commitSync() accepts every record of the last poll; otherwise the next poll does.
        if (++batches % 2 == 0) {
          Map<TopicIdPartition, Optional<KafkaException>> results = consumer.commitSync(Duration.ofSeconds(30));
          if (results.values().stream().anyMatch(Optional::isPresent)) System.err.println("acknowledgement failed: " + results);
        }
      }
    }
  }

  static void hold(String bootstrap, String topic, String group, String outFile, String lockMs, String ackMode)
      throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(props)) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
      AlterConfigOp lock =
          new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms", lockMs), AlterConfigOp.OpType.SET);
      admin.incrementalAlterConfigs(Map.of(resource, List.of(lock))).all().get();
    }
    props.put("group.id", group);
    props.put("share.acknowledgement.mode", ackMode);
    KafkaShareConsumer<String, String> consumer =
        new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    consumer.subscribe(List.of(topic));
    try (PrintWriter out = new PrintWriter(new FileWriter(outFile, true), true)) {
      for (;;) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) continue;
        for (ConsumerRecord<String, String> record : records)
          out.println(record.offset() + " " + record.value() + " " + record.deliveryCount().map(String::valueOf).orElse("?"));
        break;
      }
    }
    System.out.println("holding; waiting to be killed");
    Thread.sleep(Long.MAX_VALUE);
  }

  static void dlqSetup(String bootstrap, String group, String dlqTopic, boolean topicConfig) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(props)) {
      NewTopic dlq = new NewTopic(dlqTopic, 1, (short) 1);
      if (topicConfig) dlq.configs(Map.of("errors.deadletterqueue.group.enable", "true"));
      admin.createTopics(List.of(dlq)).all().get();
      ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
      List<AlterConfigOp> ops = List.of(
          new AlterConfigOp(new ConfigEntry("share.delivery.count.limit", "2"), AlterConfigOp.OpType.SET),
          new AlterConfigOp(new ConfigEntry("errors.deadletterqueue.topic.name", dlqTopic), AlterConfigOp.OpType.SET),
          new AlterConfigOp(new ConfigEntry("errors.deadletterqueue.copy.record.enable", "true"), AlterConfigOp.OpType.SET));
      admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get();
    }
    System.out.println("dead-letter topic " + dlqTopic + " set for " + group);
  }

  static void poison(String bootstrap, String topic, String group, String outFile, String stopFile, String poison)
      throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", group);
    props.put("share.acknowledgement.mode", "explicit");
    try (KafkaShareConsumer<String, String> consumer =
            new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        PrintWriter out = new PrintWriter(new FileWriter(outFile, true), true)) {
      consumer.subscribe(List.of(topic));
      while (!Files.exists(Path.of(stopFile))) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        List<String> lines = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
          boolean bad = poison.equals(record.value());
          consumer.acknowledge(record, bad ? AcknowledgeType.RELEASE : AcknowledgeType.ACCEPT);
          String count = record.deliveryCount().map(String::valueOf).orElse("?");
          lines.add(record.offset() + " " + record.value() + " " + count + (bad ? " RELEASE" : " ACCEPT"));
        }
        if (lines.isEmpty()) continue;
        Map<TopicIdPartition, Optional<KafkaException>> results = consumer.commitSync(Duration.ofSeconds(30));
        if (results.values().stream().anyMatch(Optional::isPresent)) System.err.println("acknowledgement failed: " + results);
        else for (String line : lines) out.println(line);
      }
    }
  }

  static void dump(String bootstrap, String topic, int seconds) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic)) partitions.add(new TopicPartition(topic, info.partition()));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long end = System.currentTimeMillis() + seconds * 1000L;
      while (System.currentTimeMillis() < end) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          StringBuilder line = new StringBuilder(record.offset() + "\t" + record.value());
          for (Header header : record.headers())
            line.append('\t').append(header.key()).append('=')
                .append(header.value() == null ? "null" : new String(header.value(), StandardCharsets.UTF_8));
          System.out.println(line);
        }
      }
    }
  }

  static void group(String bootstrap, String topic, String group, String outFile, String stopFile) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", group);
    props.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        PrintWriter out = new PrintWriter(new FileWriter(outFile, true), true)) {
      consumer.subscribe(List.of(topic));
      while (!Files.exists(Path.of(stopFile))) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200)))
          out.println(record.offset() + " " + record.value());
        consumer.commitSync();
      }
    }
  }
}

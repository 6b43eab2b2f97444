// Topic helpers for tests/compat/frameworks/run-frameworks.sh, with Kafka's Java Admin client and consumer: create a
// topic, print a topic config, wait until the cleaner has removed records from a compacted topic.
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public final class Topics {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
    try (Admin admin = Admin.create(p)) {
      switch (args[0]) {
        case "create" -> admin.createTopics(List.of(new NewTopic(args[2], Integer.parseInt(args[3]), (short) 1)))
            .all().get(60, TimeUnit.SECONDS);
        case "config" -> {
          ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, args[2]);
          System.out.println(admin.describeConfigs(List.of(r)).all().get().get(r).get(args[3]).value());
        }
        case "wait-compacted" -> waitCompacted(admin, p, args[2], Long.parseLong(args[3]));
        default -> throw new IllegalArgumentException("unknown command " + args[0]);
      }
    }
  }

  /** Record count (read from the beginning) and the sum of the end offsets of a topic. */
  static long[] count(Admin admin, Properties p, String topic) throws Exception {
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (int i = 0; i < partitions; i++) specs.put(new TopicPartition(topic, i), OffsetSpec.latest());
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(specs).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    long records = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(ends.keySet());
      consumer.seekToBeginning(ends.keySet());
      long deadline = System.currentTimeMillis() + 60_000;
      while (true) {
        boolean done = true;
        for (TopicPartition tp : ends.keySet()) if (consumer.position(tp) < ends.get(tp)) done = false;
        if (done) break;
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("could not read " + topic);
        for (var r : consumer.poll(Duration.ofMillis(500))) {
          if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) records++;
        }
      }
    }
    return new long[] {records, ends.values().stream().mapToLong(Long::longValue).sum()};
  }

  /** Waits until a compacted topic holds fewer records than were written to it (at least 4 written). */
  static void waitCompacted(Admin admin, Properties p, String topic, long timeoutS) throws Exception {
    long started = System.currentTimeMillis();
    long deadline = started + timeoutS * 1000;
    long[] c = {0, 0};
    while (System.currentTimeMillis() < deadline) {
      c = count(admin, p, topic);
      if (c[1] >= 4 && c[0] < c[1]) {
        System.out.println(topic + " compacted: " + c[0] + " records of " + c[1] + " written ("
            + (System.currentTimeMillis() - started) + " ms)");
        return;
      }
      Thread.sleep(2000);
    }
    System.out.println("FAIL " + topic + ": " + c[0] + " records of " + c[1] + " written after " + timeoutS + " s");
    System.exit(1);
  }
}

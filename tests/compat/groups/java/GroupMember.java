// One consumer-group member for the group checks, through the Java KafkaConsumer with the classic or the
// KIP-848 consumer protocol. Same output as member_kafka_python.py.
// Usage: java GroupMember HOST:PORT TOPIC GROUP RESET COMMIT SESSION_MS classic|consumer
package brook.groups;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

public final class GroupMember {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1], group = args[2], reset = args[3], commit = args[4];
    String sessionMs = args[5], protocol = args[6];
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", group);
    p.put("group.protocol", protocol);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    if (!reset.equals("default")) p.put("auto.offset.reset", reset);
    if (!commit.equals("auto")) p.put("enable.auto.commit", "false");
    if (!sessionMs.equals("default") && protocol.equals("classic")) {
      p.put("session.timeout.ms", sessionMs);
      p.put("heartbeat.interval.ms", String.valueOf(Math.max(500, Integer.parseInt(sessionMs) / 6)));
    }
    TreeSet<Integer> owned = new TreeSet<>();
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
    Thread main = Thread.currentThread();
    // SIGTERM: wake the poll loop and let it close (commit, leave the group) before the JVM exits.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      consumer.wakeup();
      try { main.join(15000); } catch (InterruptedException ignored) { }
    }));
    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      public void onPartitionsRevoked(Collection<TopicPartition> parts) {
        parts.forEach(tp -> owned.remove(tp.partition()));
        if (!parts.isEmpty()) say("A " + owned.stream().map(String::valueOf).collect(Collectors.joining(",")));
      }
      public void onPartitionsAssigned(Collection<TopicPartition> parts) {
        parts.forEach(tp -> owned.add(tp.partition()));
        say("A " + owned.stream().map(String::valueOf).collect(Collectors.joining(",")));
      }
      public void onPartitionsLost(Collection<TopicPartition> parts) {
        onPartitionsRevoked(parts);
      }
    });
    try {
      while (true) {
        var records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, String> r : records) say("R " + r.partition() + " " + r.offset() + " " + r.value());
        if (!records.isEmpty() && commit.equals("sync")) consumer.commitSync();
      }
    } catch (WakeupException stop) {
      consumer.close();
      say("CLOSED");
    }
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}

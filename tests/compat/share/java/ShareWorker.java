// Share-group (KIP-932) compatibility program for tests/compat/share/run-share.sh, built on Kafka's own Java
// client. Modes:
//   setup  BOOTSTRAP TOPIC GROUP COUNT   create a 1-partition topic, set the group's share.auto.offset.reset
//                                        to earliest, produce COUNT records "0".."COUNT-1" (acks=all)
//   worker BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE [WORK_MS]
//                                        a KafkaShareConsumer (explicit acknowledgement) that spends WORK_MS
//                                        (default 0) on each record, accepts it and appends
//                                        "offset value deliveryCount" to OUTFILE once the acknowledgement is
//                                        committed; stops when STOPFILE exists
import java.io.FileWriter;
import java.io.PrintWriter;
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
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class ShareWorker {
  public static void main(String[] args) throws Exception {
    if (args.length >= 5 && args[0].equals("setup")) setup(args[1], args[2], args[3], Integer.parseInt(args[4]));
    else if (args.length >= 6 && args[0].equals("worker"))
      work(args[1], args[2], args[3], args[4], args[5], args.length > 6 ? Long.parseLong(args[6]) : 0);
    else {
      System.err.println("usage: setup BOOTSTRAP TOPIC GROUP COUNT | worker BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE [WORK_MS]");
      System.exit(2);
    }
  }

  static void setup(String bootstrap, String topic, String group, int count) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
      AlterConfigOp earliest =
          new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET);
      admin.incrementalAlterConfigs(Map.of(resource, List.of(earliest))).all().get();
    }
    props.put("acks", "all");
    props.put("linger.ms", "5");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < count; i++) producer.send(new ProducerRecord<>(topic, null, Integer.toString(i)));
      producer.flush();
    }
    System.out.println("setup done: " + count + " records in " + topic);
  }

  static void work(String bootstrap, String topic, String group, String outFile, String stopFile, long workMs)
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
        Map<TopicIdPartition, Optional<KafkaException>> results = consumer.commitSync(Duration.ofSeconds(30));
        boolean failed = results.values().stream().anyMatch(Optional::isPresent);
        if (failed) System.err.println("acknowledgement failed: " + results);
        else for (String line : lines) out.println(line);
      }
    }
  }
}

// Kafka's Java Admin listConfigResources (KIP-1142): prints every config resource of the given types (none:
// all types) as TYPE:name, sorted, one line. Usage: java ListConfigResources.java BOOTSTRAP [TYPE...]
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConfigResourcesOptions;
import org.apache.kafka.common.config.ConfigResource;

public class ListConfigResources {
  public static void main(String[] args) throws Exception {
    Set<ConfigResource.Type> types = new HashSet<>();
    for (int i = 1; i < args.length; i++) types.add(ConfigResource.Type.valueOf(args[i]));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", args[0], "request.timeout.ms", "15000"))) {
      Collection<ConfigResource> resources =
          admin.listConfigResources(types, new ListConfigResourcesOptions()).all().get();
      List<String> names = new ArrayList<>();
      for (ConfigResource resource : resources) names.add(resource.type() + ":" + resource.name());
      Collections.sort(names);
      System.out.println(String.join(" ", names));
    }
  }
}

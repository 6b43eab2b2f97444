// Runs Kafka's transactions tool (TransactionsCommand, what kafka-transactions.sh starts) once per line of
// stdin, in one JVM, so that a scenario of twenty commands does not pay twenty JVM starts. Each line holds
// the tool's arguments separated by spaces; the tool's stdout and stderr for that command are printed,
// then a line "__END__ RC" (RC 0, or 1 when the tool exited non-zero or threw). Usage:
//   TxnToolShell   (then one command per line, e.g. "--bootstrap-server H:P list")
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.tools.TransactionsCommand;

public class TxnToolShell {
  /** Thrown in place of the JVM exit the tool asks for after an error. */
  static final class ExitRequested extends RuntimeException {
    final int status;

    ExitRequested(int status) {
      super("exit " + status);
      this.status = status;
    }
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    Exit.setExitProcedure((status, message) -> {
      throw new ExitRequested(status);
    });
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
      System.setOut(capture);
      System.setErr(capture);
      int rc = 0;
      try {
        TransactionsCommand.main(line.trim().split(" +"));
      } catch (ExitRequested e) {
        rc = e.status == 0 ? 0 : 1;
      } catch (Throwable e) {
        capture.println(e);
        rc = 1;
      } finally {
        System.setOut(out);
        System.setErr(err);
      }
      out.print(captured.toString(StandardCharsets.UTF_8));
      out.println();
      out.println("__END__ " + rc);
      out.flush();
    }
  }
}

package io.docanalysis.client;

import com.google.protobuf.util.JsonFormat;
import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.EncodingType;
import io.docanalysis.v1.Entity;
import io.docanalysis.v1.ListPluginsResponse;
import io.docanalysis.v1.PluginInfo;
import io.docanalysis.v1.PluginRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Java client's command line:
 *
 * <pre>
 * docanalysis-java analyze FILE|- --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]
 *                  [--json] [--timeout-ms N] [--tls] [--ca FILE]
 * docanalysis-java plugins --target HOST:PORT [--json]
 * </pre>
 *
 * Exit status: 0 ok, 2 usage error, 3 the call failed (the server's status is printed).
 */
public final class Cli {
  private Cli() {}

  static final String USAGE =
      "usage:\n"
          + "  docanalysis-java analyze FILE|- --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]\n"
          + "                   [--json] [--timeout-ms N] [--tls] [--ca FILE]\n"
          + "  docanalysis-java plugins --target HOST:PORT [--json]\n";

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs the command; returns the exit status. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    try {
      return runOrThrow(args, in, out);
    } catch (UsageException e) {
      err.println("docanalysis-java: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (DocanalysisException e) {
      err.println("docanalysis-java: " + e.getMessage());
      return 3;
    } catch (IOException e) {
      err.println("docanalysis-java: " + e);
      return 1;
    }
  }

  private static final class UsageException extends Exception {
    UsageException(String m) {
      super(m);
    }
  }

  private static int runOrThrow(String[] args, InputStream in, PrintStream out)
      throws UsageException, IOException {
    if (args.length == 0) {
      throw new UsageException("missing command");
    }
    String command = args[0];
    String target = System.getenv().getOrDefault("DOCANALYSIS_TARGET", "127.0.0.1:50051");
    String features = "";
    String encoding = "utf16";
    boolean json = false;
    long timeoutMs = 30_000;
    boolean tls = false;
    String ca = null;
    List<String> positional = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      switch (a) {
        case "--json":
          json = true;
          break;
        case "--tls":
          tls = true;
          break;
        case "--target":
        case "--features":
        case "--encoding":
        case "--timeout-ms":
        case "--ca":
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new UsageException(a + " needs a value");
            }
            value = args[++i];
          }
          if (a.equals("--target")) {
            target = value;
          } else if (a.equals("--features")) {
            features = value;
          } else if (a.equals("--encoding")) {
            encoding = value;
          } else if (a.equals("--timeout-ms")) {
            timeoutMs = Long.parseLong(value);
          } else {
            ca = value;
          }
          break;
        default:
          if (a.startsWith("--")) {
            throw new UsageException("unknown flag " + a);
          }
          positional.add(a);
      }
    }
    ClientConfig.Builder cb = ClientConfig.forTarget(target).timeout(Duration.ofMillis(timeoutMs));
    if (ca != null) {
      cb.trustCertCollection(Path.of(ca).toFile());
    } else if (tls) {
      cb.useTls();
    }
    JsonFormat.Printer printer = JsonFormat.printer().preservingProtoFieldNames();
    switch (command) {
      case "analyze":
        {
          if (positional.size() != 1) {
            throw new UsageException("analyze takes one FILE (or - for stdin)");
          }
          EncodingType enc;
          try {
            enc = EncodingType.valueOf(encoding.toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            throw new UsageException("unknown encoding " + encoding + " (utf8, utf16 or utf32)");
          }
          String p = positional.get(0);
          byte[] data = p.equals("-") ? in.readAllBytes() : Files.readAllBytes(Path.of(p));
          String[] feats = features.isEmpty() ? new String[0] : features.split(",");
          AnalyzeRequest request;
          try {
            // Valid UTF-8 goes as text; anything else as raw bytes, which the server rejects naming the bad byte.
            String text =
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data))
                    .toString();
            request = Requests.text(text, enc, feats);
          } catch (CharacterCodingException e) {
            request = Requests.raw("", data, enc, feats);
          }
          try (DocanalysisClient client = DocanalysisClient.create(cb.build())) {
            AnalyzeResponse r = client.analyze(request);
            if (json) {
              out.println(printer.print(r));
            } else {
              printResponse(out, r);
            }
          }
          return 0;
        }
      case "plugins":
        try (DocanalysisClient client = DocanalysisClient.create(cb.build())) {
          ListPluginsResponse r = client.listPlugins();
          if (json) {
            out.println(printer.print(r));
          } else {
            for (PluginInfo p : r.getPluginsList()) {
              out.printf(
                  "%-12s %-8s %-7s features=%s %s%n",
                  p.getName(), p.getVersion(), p.getState(), String.join(",", p.getFeaturesList()),
                  p.getLastError());
            }
          }
          return 0;
        }
      default:
        throw new UsageException("unknown command " + command);
    }
  }

  private static void printResponse(PrintStream out, AnalyzeResponse r) {
    out.printf(
        "language: %s, %d sentences, %d tokens%n",
        r.getLanguage(), r.getSentencesCount(), r.getTokenCount());
    if (r.hasDocumentSentiment()) {
      out.printf(
          "sentiment: score %.3f, magnitude %.3f%n",
          r.getDocumentSentiment().getScore(), r.getDocumentSentiment().getMagnitude());
    }
    if (r.getEntitiesCount() > 0) {
      out.println("entities:");
      for (Entity e : r.getEntitiesList()) {
        out.printf(
            "  %-30s %-12s salience %.3f, %d mentions%n",
            e.getName(), e.getType(), e.getSalience(), e.getMentionsCount());
      }
    }
    if (!r.getSummary().getText().isEmpty()) {
      out.println("summary: " + r.getSummary().getText());
    }
    for (PluginRun run : r.getPluginRunsList()) {
      if (run.getCode() != 0) {
        out.printf("plugin %s failed: code %d: %s%n", run.getPlugin(), run.getCode(), run.getMessage());
      }
    }
  }
}

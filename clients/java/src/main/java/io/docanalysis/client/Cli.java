package io.docanalysis.client;

import com.google.protobuf.util.JsonFormat;
import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.Document;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Java client's command line, with the contract every client's CLI follows (clients/README.md):
 *
 * <pre>
 * docanalysis-java analyze FILE... --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]
 *                  [--timeout SECONDS] [--option plugin.key=value]... [--html] [--tls-ca F]
 *                  [--tls-cert F --tls-key F] [--json]
 * docanalysis-java plugins --target HOST:PORT [--json] [--timeout SECONDS] [--tls-ca F] ...
 * </pre>
 *
 * <p>{@code --json} prints the response in protobuf's canonical JSON mapping (lowerCamelCase names, enums by name,
 * int64 as strings, default values left out): one pretty-printed document for one FILE, one compact line per FILE
 * for several. Offsets default to utf16 (Java string indices).
 *
 * <p>Exit status: 0 all is well; 2 usage error (one line on stderr, never a stack trace); 3 the call failed (status
 * code name and message on stderr); 4 the call succeeded but a plugin run failed (the JSON is still printed).
 */
public final class Cli {
  private Cli() {}

  static final int EXIT_OK = 0;
  static final int EXIT_USAGE = 2;
  static final int EXIT_CALL_FAILED = 3;
  static final int EXIT_PARTIAL = 4;

  static final String USAGE =
      "usage: docanalysis-java analyze FILE... --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]"
          + " [--timeout SECONDS] [--option plugin.key=value]... [--html] [--tls-ca F] [--tls-cert F --tls-key F]"
          + " [--json]";

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs the command; returns the exit status. Never throws. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    try {
      return runOrThrow(args, in, out, err);
    } catch (UsageException e) {
      err.println("docanalysis-java: " + e.getMessage());
      return EXIT_USAGE;
    } catch (DocanalysisException e) {
      err.println("docanalysis-java: " + e.code() + ": " + firstLine(e.serverMessage()));
      return EXIT_CALL_FAILED;
    } catch (RuntimeException e) {
      err.println("docanalysis-java: " + firstLine(String.valueOf(e.getMessage())));
      return EXIT_CALL_FAILED;
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static final class UsageException extends Exception {
    UsageException(String m) {
      super(m);
    }
  }

  private static byte[] read(String path, InputStream in) throws UsageException {
    try {
      return path.equals("-") ? in.readAllBytes() : Files.readAllBytes(Path.of(path));
    } catch (IOException | java.nio.file.InvalidPathException e) {
      throw new UsageException("cannot read " + path + ": " + e.getClass().getSimpleName());
    }
  }

  private static int runOrThrow(String[] args, InputStream in, PrintStream out, PrintStream err)
      throws UsageException {
    if (args.length == 0) {
      throw new UsageException("missing command (analyze or plugins)");
    }
    String command = args[0];
    if (!command.equals("analyze") && !command.equals("plugins")) {
      throw new UsageException("unknown command " + command + " (analyze or plugins)");
    }
    String target = System.getenv().getOrDefault("DOCANALYSIS_TARGET", "");
    String features = "";
    String encoding = "utf16";
    boolean json = false;
    boolean html = false;
    Duration timeout = null;
    boolean tls = false;
    String ca = null;
    String cert = null;
    String key = null;
    String serverName = null;
    Map<String, String> options = new LinkedHashMap<>();
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
        case "--html":
          html = true;
          break;
        case "--tls":
          tls = true;
          break;
        case "--target":
        case "--features":
        case "--encoding":
        case "--timeout":
        case "--tls-ca":
        case "--ca":
        case "--tls-cert":
        case "--tls-key":
        case "--server-name":
        case "--option":
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new UsageException(a + " needs a value");
            }
            value = args[++i];
          }
          switch (a) {
            case "--target":
              target = value;
              break;
            case "--features":
              features = value;
              break;
            case "--encoding":
              encoding = value;
              break;
            case "--timeout":
              timeout = seconds(value);
              break;
            case "--tls-ca":
            case "--ca":
              ca = value;
              break;
            case "--tls-cert":
              cert = value;
              break;
            case "--tls-key":
              key = value;
              break;
            case "--server-name":
              serverName = value;
              break;
            default:
              int e = value.indexOf('=');
              if (e <= 0) {
                throw new UsageException("--option wants plugin.key=value, got " + value);
              }
              options.put(value.substring(0, e), value.substring(e + 1));
          }
          break;
        default:
          if (a.startsWith("--")) {
            throw new UsageException("unknown flag " + a);
          }
          positional.add(a);
      }
    }
    if (target.isEmpty()) {
      throw new UsageException("--target HOST:PORT is required");
    }
    if ((cert == null) != (key == null)) {
      throw new UsageException("--tls-cert and --tls-key go together");
    }
    ClientConfig.Builder cb = ClientConfig.forTarget(target).timeout(timeout);
    if (ca != null) {
      if (!Files.isReadable(Path.of(ca))) {
        throw new UsageException("cannot read " + ca);
      }
      cb.trustCertCollection(Path.of(ca).toFile());
    } else if (tls) {
      cb.useTls();
    }
    if (cert != null) {
      if (!Files.isReadable(Path.of(cert)) || !Files.isReadable(Path.of(key))) {
        throw new UsageException("cannot read " + cert + " or " + key);
      }
      cb.clientCertificate(Path.of(cert).toFile(), Path.of(key).toFile());
    }
    if (serverName != null) {
      cb.authorityOverride(serverName);
    }
    JsonFormat.Printer printer = JsonFormat.printer();
    if (command.equals("plugins")) {
      if (!positional.isEmpty()) {
        throw new UsageException("plugins takes no FILE");
      }
      try (DocanalysisClient client = DocanalysisClient.create(cb.build())) {
        ListPluginsResponse r = client.listPlugins();
        if (json) {
          out.println(print(printer, r));
        } else {
          for (PluginInfo p : r.getPluginsList()) {
            out.printf(
                "%-12s %-8s %-7s features=%s %s%n",
                p.getName(), p.getVersion(), p.getState(), String.join(",", p.getFeaturesList()),
                p.getLastError());
          }
        }
        return EXIT_OK;
      }
    }
    if (positional.isEmpty()) {
      throw new UsageException("analyze takes FILE... (or - for stdin)");
    }
    EncodingType enc;
    try {
      enc = EncodingType.valueOf(encoding.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("unknown --encoding " + encoding + " (utf8, utf16 or utf32)");
    }
    if (enc == EncodingType.ENCODING_UNSPECIFIED) {
      throw new UsageException("unknown --encoding " + encoding + " (utf8, utf16 or utf32)");
    }
    List<String> feats = new ArrayList<>();
    for (String f : features.split(",")) {
      if (!f.isBlank()) {
        feats.add(f.strip());
      }
    }
    List<AnalyzeRequest> requests = new ArrayList<>();
    for (String p : positional) {
      byte[] data = read(p, in);
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
        request = Requests.text(text, enc, feats.toArray(new String[0]));
      } catch (CharacterCodingException e) {
        request = Requests.raw("", data, enc, feats.toArray(new String[0]));
      }
      AnalyzeRequest.Builder b = request.toBuilder().putAllOptions(options);
      if (html) {
        b.getDocumentBuilder().setType(Document.ContentType.HTML);
      }
      requests.add(b.build());
    }
    int status = EXIT_OK;
    try (DocanalysisClient client = DocanalysisClient.create(cb.build())) {
      for (AnalyzeRequest request : requests) {
        AnalyzeResponse r = client.analyze(request);
        if (json) {
          String text = print(printer, r);
          out.println(requests.size() == 1 ? text : compact(r));
        } else {
          printResponse(out, r);
        }
        for (PluginRun run : Failures.failedPluginRuns(r)) {
          err.println(
              "docanalysis-java: plugin " + run.getPlugin() + " failed: " + run.getCode() + ": "
                  + run.getMessage());
          status = EXIT_PARTIAL;
        }
      }
    }
    return status;
  }

  private static Duration seconds(String value) throws UsageException {
    double s;
    try {
      s = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new UsageException("--timeout wants seconds, got " + value);
    }
    if (!(s > 0) || Double.isInfinite(s)) {
      throw new UsageException("--timeout wants a positive number of seconds, got " + value);
    }
    return Duration.ofNanos(Math.max(1_000_000L, (long) (s * 1e9)));
  }

  private static String print(JsonFormat.Printer printer, com.google.protobuf.MessageOrBuilder m) {
    try {
      return printer.print(m);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print the response as JSON: " + e.getMessage(), e);
    }
  }

  private static String compact(com.google.protobuf.MessageOrBuilder m) {
    return print(JsonFormat.printer().omittingInsignificantWhitespace(), m);
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
  }
}

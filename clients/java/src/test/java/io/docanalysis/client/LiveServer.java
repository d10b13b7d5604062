package io.docanalysis.client;

import io.docanalysis.v1.PluginInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live server the tests call: DOCANALYSIS_TARGET when set, else the real docanalysis-server
 * (DOCANALYSIS_SERVER, default {@code <repo>/build/service/docanalysis-server}) with
 * DOCANALYSIS_PLUGIN_DIR (default {@code <repo>/build/plugins}) started once per JVM on 127.0.0.1:0
 * and stopped with SIGTERM at exit. Thread-safe.
 */
final class LiveServer {
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+:\\d+)");
  private static String target;

  private LiveServer() {}

  static Path repoRoot() {
    Path d = Path.of("").toAbsolutePath();
    for (Path p = d; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("protos/docanalysis/v1/docanalysis.proto"))) {
        return p;
      }
    }
    return d.resolve("../..").normalize();
  }

  /**
   * Plugins load after the port opens: waits until the server lists loaded plugins, the same set twice
   * in a row (bounded by {@code timeoutMs}).
   */
  static void waitForPlugins(String t, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    int last = -1;
    try (DocanalysisClient c =
        DocanalysisClient.create(ClientConfig.forTarget(t).timeout(java.time.Duration.ofSeconds(2)).build())) {
      while (System.currentTimeMillis() < deadline) {
        try {
          int loaded = 0;
          for (PluginInfo p : c.listPlugins().getPluginsList()) {
            if (p.getState() == PluginInfo.State.LOADED) {
              loaded++;
            }
          }
          if (loaded > 0 && loaded == last) {
            return;
          }
          last = loaded;
        } catch (DocanalysisException e) {
          last = -1;
        }
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("server at " + t + " loaded no plugins within " + timeoutMs + " ms");
  }

  private static java.util.List<String> command(String bin, String plugins, String... extra) {
    java.util.List<String> c = new java.util.ArrayList<>(java.util.List.of(bin, "--listen", "127.0.0.1:0", "--plugin_dir", plugins));
    c.addAll(java.util.List.of(extra));
    return c;
  }

  static synchronized String target() {
    if (target != null) {
      return target;
    }
    String env = System.getenv("DOCANALYSIS_TARGET");
    if (env != null && !env.isEmpty()) {
      target = env;
      return target;
    }
    target = start();
    return target;
  }

  /** Starts a server of its own with {@code extra} flags (stopped at JVM exit); returns its target. */
  static String start(String... extra) {
    Path root = repoRoot();
    String bin =
        System.getenv()
            .getOrDefault(
                "DOCANALYSIS_SERVER", root.resolve("build/service/docanalysis-server").toString());
    String plugins =
        System.getenv().getOrDefault("DOCANALYSIS_PLUGIN_DIR", root.resolve("build/plugins").toString());
    if (!Files.isExecutable(Path.of(bin))) {
      throw new IllegalStateException(
          "no server binary at " + bin + " (set DOCANALYSIS_TARGET, or DOCANALYSIS_SERVER and DOCANALYSIS_PLUGIN_DIR)");
    }
    try {
      Process p =
          new ProcessBuilder(command(bin, plugins, extra))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    p.destroy(); // SIGTERM: the server drains and exits
                    try {
                      if (!p.waitFor(15, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                      }
                    } catch (InterruptedException e) {
                      p.destroyForcibly();
                    }
                  }));
      CompletableFuture<String> found = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                      found.complete(m.group(1));
                    }
                  }
                } catch (IOException e) {
                  // the server went away; fall through
                }
                found.completeExceptionally(new IllegalStateException("server exited before 'listening on'"));
              },
              "docanalysis-server-stdout");
      reader.setDaemon(true);
      reader.start();
      String t = found.get(30, TimeUnit.SECONDS);
      waitForPlugins(t, 30_000);
      return t;
    } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException | TimeoutException e) {
      throw new IllegalStateException("starting " + bin + ": " + e, e);
    }
  }
}

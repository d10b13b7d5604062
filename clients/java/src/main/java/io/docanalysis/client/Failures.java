package io.docanalysis.client;

import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.PluginRun;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * Failures inside a successful call: the failed plugin runs of a response and the failed documents of a batch or
 * stream, as lists or as a thrown {@link DocanalysisException}.
 */
public final class Failures {
  private Failures() {}

  /** The plugin runs of {@code response} whose code is not OK. */
  public static List<PluginRun> failedPluginRuns(AnalyzeResponse response) {
    List<PluginRun> failed = new ArrayList<>();
    for (PluginRun run : response.getPluginRunsList()) {
      if (run.getCode() != 0) {
        failed.add(run);
      }
    }
    return failed;
  }

  /** Throws a {@link DocanalysisException} (operation {@code plugin <name>}) for the first failed plugin run. */
  public static void throwIfPluginsFailed(AnalyzeResponse response) {
    List<PluginRun> failed = failedPluginRuns(response);
    if (!failed.isEmpty()) {
      PluginRun run = failed.get(0);
      throw new DocanalysisException(
          "plugin " + run.getPlugin(), Status.fromCodeValue(run.getCode()).getCode(), run.getMessage(), null);
    }
  }

  /** The responses of a batch or stream whose document failed as a whole. */
  public static List<AnalyzeResponse> failedDocuments(List<AnalyzeResponse> responses) {
    List<AnalyzeResponse> failed = new ArrayList<>();
    for (AnalyzeResponse r : responses) {
      if (r.hasError() && r.getError().getCode() != 0) {
        failed.add(r);
      }
    }
    return failed;
  }

  /** Throws the {@link DocanalysisException} of the first failed document of a batch. */
  public static void throwIfDocumentsFailed(List<AnalyzeResponse> responses) {
    for (AnalyzeResponse r : responses) {
      DocanalysisException.ofDocument(r).ifPresent(e -> {
        throw e;
      });
    }
  }
}

package io.docanalysis.client;

import com.google.protobuf.ByteString;
import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.Document;
import io.docanalysis.v1.EncodingType;
import java.util.Arrays;

/** Small helpers that build {@link AnalyzeRequest}s. Stateless. */
public final class Requests {
  private Requests() {}

  /** A request for {@code text} with offsets in {@code encoding}, running {@code features} (none: defaults). */
  public static AnalyzeRequest text(String text, EncodingType encoding, String... features) {
    return AnalyzeRequest.newBuilder()
        .setDocument(Document.newBuilder().setContent(text))
        .setEncodingType(encoding)
        .addAllFeatures(Arrays.asList(features))
        .build();
  }

  /** Like {@link #text}, with a document id echoed in the response. */
  public static AnalyzeRequest text(String id, String text, EncodingType encoding, String... features) {
    AnalyzeRequest r = text(text, encoding, features);
    return r.toBuilder().setDocument(r.getDocument().toBuilder().setId(id)).build();
  }

  /**
   * A request for bytes of unknown quality (a file): the server checks they are UTF-8 and otherwise
   * fails with INVALID_ARGUMENT naming the first bad byte.
   */
  public static AnalyzeRequest raw(String id, byte[] bytes, EncodingType encoding, String... features) {
    return AnalyzeRequest.newBuilder()
        .setDocument(Document.newBuilder().setId(id).setRawContent(ByteString.copyFrom(bytes)))
        .setEncodingType(encoding)
        .addAllFeatures(Arrays.asList(features))
        .build();
  }
}

package dev.edgellm.hub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read chunk by chunk with a timeout between chunks: {@code HttpClient} has a
 * timeout for the response headers but none for the body, so a connection that stalls mid-file
 * would hang the build forever. One chunk is requested at a time (bounded memory).
 */
final class TimedBody implements HttpResponse.BodySubscriber<TimedBody>, AutoCloseable {
  private static final Object END = new Object();

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private volatile boolean closed;

  /** A handler whose body is a fresh {@link TimedBody}, available as soon as the headers are. */
  static HttpResponse.BodyHandler<TimedBody> handler() {
    return info -> new TimedBody();
  }

  @Override
  public CompletionStage<TimedBody> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (closed) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    queue.add(item);
  }

  @Override
  public void onError(Throwable t) {
    queue.add(t);
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  /**
   * The next chunk's buffers, or null at the end of the body.
   *
   * @throws IOException when nothing arrives within {@code timeout}, or the connection failed
   */
  @SuppressWarnings("unchecked")
  List<ByteBuffer> next(Duration timeout) throws IOException {
    Object o;
    try {
      o = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new InterruptedIOException("interrupted while downloading");
    }
    if (o == null) {
      close();
      throw new IOException("no data for " + timeout.toSeconds() + " s (the connection stalled)");
    }
    if (o == END) {
      return null;
    }
    if (o instanceof Throwable t) {
      throw t instanceof IOException io ? io : new IOException(t.toString(), t);
    }
    Flow.Subscription s = subscription;
    if (s != null) {
      s.request(1);
    }
    return (List<ByteBuffer>) o;
  }

  @Override
  public void close() {
    closed = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }
}

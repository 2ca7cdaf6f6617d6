package dev.edgellm.adapter;

import dev.edgellm.checkpoint.TensorInfo;
import java.nio.file.Path;

/** The tensors of one adapted module: A, B and, for DoRA, the magnitude. */
final class LoraModule {
  /** Which tensor of a module a key holds. */
  enum Part {
    A,
    B,
    MAGNITUDE
  }

  final String name;
  TensorInfo a;
  TensorInfo b;
  TensorInfo m;

  LoraModule(String name) {
    this.name = name;
  }

  void set(Part part, TensorInfo t) {
    switch (part) {
      case A -> a = t;
      case B -> b = t;
      case MAGNITUDE -> m = t;
    }
  }

  /** The first of its keys (for errors). */
  TensorInfo anyKey() {
    return a != null ? a : b != null ? b : m;
  }

  void requireAB(Path weights) {
    if (a == null || b == null) {
      throw new AdapterException(
          weights
              + ": module '"
              + name
              + "' has '"
              + anyKey().name()
              + "' but not its "
              + (a == null ? "A (down-projection)" : "B (up-projection)")
              + " tensor; the adapter file is incomplete: save the adapter again");
    }
  }

  void requireMagnitude(Path weights, String what, AdapterLayout layout) {
    if (m == null) {
      throw new AdapterException(
          weights
              + ": module '"
              + name
              + "' has no "
              + what
              + " (the DoRA magnitude)"
              + ", but the adapter is "
              + layout.id()
              + "; save the adapter again");
    }
  }
}

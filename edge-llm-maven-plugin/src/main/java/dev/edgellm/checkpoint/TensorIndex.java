package dev.edgellm.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of a checkpoint's safetensors files by name, with the file that stores each (a tensor
 * stored twice is an error), and the aliases {@code save_pretrained} records in {@code
 * __metadata__} for tied weights stored once.
 */
record TensorIndex(
    Map<String, TensorInfo> tensors,
    Map<String, SafetensorsFile> owner,
    Map<String, String> aliases) {

  static TensorIndex of(List<SafetensorsFile> files) {
    Map<String, TensorInfo> t = new LinkedHashMap<>();
    Map<String, SafetensorsFile> o = new LinkedHashMap<>();
    Map<String, String> a = new LinkedHashMap<>();
    for (SafetensorsFile f : files) {
      for (TensorInfo info : f.tensors().values()) {
        if (t.containsKey(info.name())) {
          throw new CheckpointException(
              "tensor '"
                  + info.name()
                  + "' is stored twice, in "
                  + o.get(info.name()).path()
                  + " and "
                  + f.path()
                  + "; remove one copy");
        }
        t.put(info.name(), info);
        o.put(info.name(), f);
      }
    }
    for (SafetensorsFile f : files) {
      f.metadata()
          .forEach(
              (k, v) -> {
                if (!t.containsKey(k) && t.containsKey(v)) {
                  a.put(k, v);
                }
              });
    }
    return new TensorIndex(Collections.unmodifiableMap(t), o, Collections.unmodifiableMap(a));
  }
}

package dev.edgellm.maven;

import dev.edgellm.hub.FileSelection;
import dev.edgellm.hub.HubResolver;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.maven.plugin.logging.Log;

/**
 * The {@code edgellm.adapter} setting shared by export and stage: a folder (relative to the
 * project), or a Hub id ({@code org/name[@revision]}) resolved into the huggingface_hub cache with
 * the adapter's files ({@code adapter_config.json} and {@code adapters.safetensors} or {@code
 * adapter_model.safetensors}); offline under {@code HF_HUB_OFFLINE=1} or Maven's {@code -o}.
 */
final class AdapterParameter {
  private AdapterParameter() {}

  /**
   * The adapter folder, or null when the setting is unset or blank; a Hub id is resolved by {@code
   * hub} (the build's endpoint, token and offline mode, as for the checkpoint).
   */
  static Path resolve(String adapter, File basedir, HubResolver hub, Log log) throws IOException {
    if (adapter == null || adapter.isBlank()) {
      return null;
    }
    HubResolver.Resolved r =
        hub.resolve(
            adapter, basedir == null ? Path.of("") : basedir.toPath(), FileSelection.ADAPTER);
    if (r.fromHub()) {
      log.info("adapter: " + r.id() + " is commit " + r.commit() + ", in " + r.folder());
    }
    return r.folder();
  }
}

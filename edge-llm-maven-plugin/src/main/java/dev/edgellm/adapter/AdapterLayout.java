package dev.edgellm.adapter;

/** The adapter layouts {@code edgellm.adapter} accepts, by the tool that wrote them. */
public enum AdapterLayout {
  /** PEFT LoRA: {@code adapter_model.safetensors}, {@code lora_A}/{@code lora_B} per module. */
  PEFT_LORA("peft-lora", "adapter_model.safetensors"),
  /** PEFT DoRA ({@code use_dora}): LoRA plus a {@code lora_magnitude_vector} per module. */
  PEFT_DORA("peft-dora", "adapter_model.safetensors"),
  /** mlx_lm {@code lora}: {@code adapters.safetensors}, {@code lora_a}/{@code lora_b}. */
  MLX_LORA("mlx-lora", "adapters.safetensors"),
  /** mlx_lm {@code dora}: LoRA plus a magnitude {@code m} per module. */
  MLX_DORA("mlx-dora", "adapters.safetensors"),
  /** mlx_lm {@code full}: replacement weights under their checkpoint names. */
  MLX_FULL("mlx-full", "adapters.safetensors");

  private final String id;
  private final String weightsFile;

  AdapterLayout(String id, String weightsFile) {
    this.id = id;
    this.weightsFile = weightsFile;
  }

  /** The name in logs and {@code edge-llm.json}, e.g. {@code peft-lora}. */
  public String id() {
    return id;
  }

  /** The file holding the adapter's tensors. */
  public String weightsFile() {
    return weightsFile;
  }

  /** Whether the layout is PEFT's (else mlx_lm's). */
  public boolean isPeft() {
    return this == PEFT_LORA || this == PEFT_DORA;
  }
}

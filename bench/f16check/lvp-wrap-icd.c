/*
 * A Vulkan ICD that wraps lavapipe, for f16check.sh (test tooling, not part of the product).
 *
 * Dawn refuses Debian 12's lavapipe (Mesa 22.3) with "Vulkan shaderUniform*ArrayDynamicIndexing
 * required": lavapipe 22.3 reports shaderSampledImageArrayDynamicIndexing and
 * shaderStorageImageArrayDynamicIndexing as false. Dawn requires them for arrays of textures, which
 * WGSL compute shaders without binding arrays (onnxruntime-web's kernels use storage buffers only)
 * never use. This ICD loads lavapipe (EDGELLM_LVP_LIBRARY, the path of libvulkan_lvp.so), hands every
 * call to it, except that vkGetPhysicalDeviceFeatures{,2,2KHR} report those two features as
 * supported and vkCreateDevice removes them again from what it enables, so lavapipe never sees a
 * request it cannot honour. For Chromium, two switches (both set by f16check.sh):
 * EDGELLM_SPOOF_YCBCR=1 does the same for samplerYcbcrConversion (Chromium's own Vulkan device
 * requires it), EDGELLM_AS_SWIFTSHADER=1 reports SwiftShader's PCI ids (see set_ids). Nothing else
 * changes: shaderFloat16 and the 16-bit storage features that Dawn's shader-f16 needs are lavapipe's
 * own.
 *
 * Build: gcc -shared -fPIC -O2 -I<vulkan headers> -o libvulkan_edgellm_lvp.so lvp-wrap-icd.c -ldl
 * Use:   VK_ICD_FILENAMES=<json naming that library> EDGELLM_LVP_LIBRARY=<libvulkan_lvp.so>
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vk_icd.h>
#include <vulkan/vulkan.h>

#define EXPORT __attribute__((visibility("default")))

typedef VkResult(VKAPI_PTR *PFN_negotiate)(uint32_t *);
typedef PFN_vkVoidFunction(VKAPI_PTR *PFN_pdpa)(VkInstance, const char *);

static PFN_vkGetInstanceProcAddr lvp_gipa;
static PFN_negotiate lvp_negotiate;
static PFN_pdpa lvp_pdpa;
static PFN_vkGetPhysicalDeviceFeatures lvp_features;
static PFN_vkGetPhysicalDeviceFeatures2 lvp_features2;
static PFN_vkCreateDevice lvp_create_device;
static PFN_vkGetPhysicalDeviceProperties lvp_properties;
static PFN_vkGetPhysicalDeviceProperties2 lvp_properties2;

static int load(void) {
  if (lvp_gipa != NULL) return 1;
  const char *path = getenv("EDGELLM_LVP_LIBRARY");
  void *lib = dlopen(path != NULL ? path : "libvulkan_lvp.so", RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "edgellm lavapipe wrapper: %s\n", dlerror());
    return 0;
  }
  lvp_negotiate = (PFN_negotiate)dlsym(lib, "vk_icdNegotiateLoaderICDInterfaceVersion");
  lvp_pdpa = (PFN_pdpa)dlsym(lib, "vk_icdGetPhysicalDeviceProcAddr");
  lvp_gipa = (PFN_vkGetInstanceProcAddr)dlsym(lib, "vk_icdGetInstanceProcAddr");
  return lvp_gipa != NULL;
}

static void set_image_array_indexing(VkPhysicalDeviceFeatures *f, VkBool32 value) {
  f->shaderSampledImageArrayDynamicIndexing = value;
  f->shaderStorageImageArrayDynamicIndexing = value;
}

// EDGELLM_SPOOF_YCBCR=1: samplerYcbcrConversion too (Chromium's own Vulkan device requires it)
static int spoof_ycbcr(void) {
  const char *v = getenv("EDGELLM_SPOOF_YCBCR");
  return v != NULL && strcmp(v, "1") == 0;
}

static void set_ycbcr(const void *chain, VkBool32 value) {
  for (VkBaseOutStructure *s = (VkBaseOutStructure *)chain; s != NULL; s = s->pNext) {
    if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SAMPLER_YCBCR_CONVERSION_FEATURES)
      ((VkPhysicalDeviceSamplerYcbcrConversionFeatures *)s)->samplerYcbcrConversion = value;
    if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES)
      ((VkPhysicalDeviceVulkan11Features *)s)->samplerYcbcrConversion = value;
  }
}

// EDGELLM_AS_SWIFTSHADER=1: report SwiftShader's PCI ids (vendor 0x1AE0, device 0xC0DE). Chromium's
// WebGPU only hands out a CPU adapter that is SwiftShader (it copies canvas images through Skia for
// it instead of importing them); with these ids it takes lavapipe the same way. The device name and
// driver (llvmpipe, Mesa) stay lavapipe's.
static int as_swiftshader(void) {
  const char *v = getenv("EDGELLM_AS_SWIFTSHADER");
  return v != NULL && strcmp(v, "1") == 0;
}

static void set_ids(VkPhysicalDeviceProperties *p) {
  if (!as_swiftshader()) return;
  p->vendorID = 0x1AE0;
  p->deviceID = 0xC0DE;
}

static VKAPI_ATTR void VKAPI_CALL GetPhysicalDeviceProperties(VkPhysicalDevice pd,
                                                              VkPhysicalDeviceProperties *p) {
  lvp_properties(pd, p);
  set_ids(p);
}

static VKAPI_ATTR void VKAPI_CALL GetPhysicalDeviceProperties2(VkPhysicalDevice pd,
                                                               VkPhysicalDeviceProperties2 *p) {
  lvp_properties2(pd, p);
  set_ids(&p->properties);
}

static VKAPI_ATTR void VKAPI_CALL GetPhysicalDeviceFeatures(VkPhysicalDevice pd,
                                                            VkPhysicalDeviceFeatures *f) {
  lvp_features(pd, f);
  set_image_array_indexing(f, VK_TRUE);
}

static VKAPI_ATTR void VKAPI_CALL GetPhysicalDeviceFeatures2(VkPhysicalDevice pd,
                                                             VkPhysicalDeviceFeatures2 *f) {
  lvp_features2(pd, f);
  set_image_array_indexing(&f->features, VK_TRUE);
  if (spoof_ycbcr()) set_ycbcr(f->pNext, VK_TRUE);
}

static VKAPI_ATTR VkResult VKAPI_CALL CreateDevice(VkPhysicalDevice pd,
                                                   const VkDeviceCreateInfo *info,
                                                   const VkAllocationCallbacks *alloc,
                                                   VkDevice *device) {
  // the caller's structures are const: enable from copies
  VkDeviceCreateInfo copy = *info;
  VkPhysicalDeviceFeatures features;
  if (info->pEnabledFeatures != NULL) {
    features = *info->pEnabledFeatures;
    set_image_array_indexing(&features, VK_FALSE);
    copy.pEnabledFeatures = &features;
  }
  VkPhysicalDeviceFeatures2 *f2 = NULL;
  for (const VkBaseInStructure *s = info->pNext; s != NULL; s = s->pNext)
    if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2) f2 = (VkPhysicalDeviceFeatures2 *)s;
  VkBool32 sampled = VK_FALSE, storage = VK_FALSE;
  if (f2 != NULL) {
    sampled = f2->features.shaderSampledImageArrayDynamicIndexing;
    storage = f2->features.shaderStorageImageArrayDynamicIndexing;
    set_image_array_indexing(&f2->features, VK_FALSE);
  }
  // (a requested samplerYcbcrConversion is dropped for good: nothing here samples YCbCr images)
  if (spoof_ycbcr()) set_ycbcr(info->pNext, VK_FALSE);
  VkResult r = lvp_create_device(pd, &copy, alloc, device);
  if (f2 != NULL) {
    f2->features.shaderSampledImageArrayDynamicIndexing = sampled;
    f2->features.shaderStorageImageArrayDynamicIndexing = storage;
  }
  return r;
}

static PFN_vkVoidFunction wrap(VkInstance instance, const char *name, PFN_vkVoidFunction fn) {
  if (fn == NULL) return NULL;
  if (strcmp(name, "vkGetPhysicalDeviceFeatures") == 0) {
    lvp_features = (PFN_vkGetPhysicalDeviceFeatures)fn;
    return (PFN_vkVoidFunction)GetPhysicalDeviceFeatures;
  }
  if (strcmp(name, "vkGetPhysicalDeviceFeatures2") == 0 ||
      strcmp(name, "vkGetPhysicalDeviceFeatures2KHR") == 0) {
    lvp_features2 = (PFN_vkGetPhysicalDeviceFeatures2)fn;
    return (PFN_vkVoidFunction)GetPhysicalDeviceFeatures2;
  }
  if (strcmp(name, "vkGetPhysicalDeviceProperties") == 0) {
    lvp_properties = (PFN_vkGetPhysicalDeviceProperties)fn;
    return (PFN_vkVoidFunction)GetPhysicalDeviceProperties;
  }
  if (strcmp(name, "vkGetPhysicalDeviceProperties2") == 0 ||
      strcmp(name, "vkGetPhysicalDeviceProperties2KHR") == 0) {
    lvp_properties2 = (PFN_vkGetPhysicalDeviceProperties2)fn;
    return (PFN_vkVoidFunction)GetPhysicalDeviceProperties2;
  }
  if (strcmp(name, "vkCreateDevice") == 0) {
    lvp_create_device = (PFN_vkCreateDevice)fn;
    return (PFN_vkVoidFunction)CreateDevice;
  }
  (void)instance;
  return fn;
}

EXPORT VKAPI_ATTR VkResult VKAPI_CALL vk_icdNegotiateLoaderICDInterfaceVersion(uint32_t *version) {
  if (!load()) return VK_ERROR_INCOMPATIBLE_DRIVER;
  return lvp_negotiate != NULL ? lvp_negotiate(version) : VK_SUCCESS;
}

EXPORT VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL vk_icdGetInstanceProcAddr(VkInstance instance,
                                                                         const char *name) {
  if (!load()) return NULL;
  return wrap(instance, name, lvp_gipa(instance, name));
}

EXPORT VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL vk_icdGetPhysicalDeviceProcAddr(VkInstance instance,
                                                                               const char *name) {
  if (!load() || lvp_pdpa == NULL) return NULL;
  return wrap(instance, name, lvp_pdpa(instance, name));
}

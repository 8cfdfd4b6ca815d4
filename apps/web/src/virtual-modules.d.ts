declare module 'virtual:ssd-mobilenet-v1-assets' {
  import type { SsdMobilenetV1Assets } from '@pointwise/conformance/harness';
  const assets: SsdMobilenetV1Assets;
  export default assets;
}

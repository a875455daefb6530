/**
 * The AWS SDK for JavaScript v3 warns once per process, through process.emitWarning, when the
 * Node version is one its future releases will drop (`emitWarningIfUnsupportedVersion` in
 * @aws-sdk/core, called from each client's runtime config when the client is constructed). The
 * warning is nine lines on stderr about the SDK's own plans; this package pins its SDK version,
 * so for our commands it would only bury their one-line errors and reports. AWS documents the
 * switch: `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true`
 * (https://github.com/aws/aws-sdk-js-v3/issues/7983). Called before every client our commands
 * construct; a value the user set wins.
 */
export function quietAwsSdkNodeVersionWarning(): void {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
}

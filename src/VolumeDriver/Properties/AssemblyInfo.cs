using System.Runtime.Versioning;

// The driver manages Linux block devices through sysfs, losetup and mount: Linux is the only platform.
[assembly: SupportedOSPlatform("linux")]

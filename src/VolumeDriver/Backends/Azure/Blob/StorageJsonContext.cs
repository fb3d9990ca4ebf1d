using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using VolumeDriver.Backends.Azure.Blob.Models;

namespace VolumeDriver.Backends.Azure.Blob;

[JsonSerializable(typeof(StorageAccountCreateJson))]
[JsonSerializable(typeof(StorageAccountJson))]
[JsonSerializable(typeof(StorageAccountListJson))]
[JsonSerializable(typeof(StorageKeysJson))]
[JsonSerializable(typeof(ArmErrorEnvelopeJson))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;

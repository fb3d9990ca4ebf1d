using System.Text;
using System.Text.Json;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// kubelet's DriverStatus, decoded with Go encoding/json's rules: exactly one JSON value (whitespace
/// around it allowed), no BOM, keys matched case-insensitively (last one wins), unknown keys
/// ignored, and a wrong type is an error, not a coercion. Throws FormatException where kubelet's
/// json.Unmarshal would fail.
/// </summary>
public sealed record GoDriverStatus(string? Status, string? Message, string? Device, bool? Attached, IReadOnlyDictionary<string, bool>? Capabilities, bool CapabilitiesNull)
{
    public static GoDriverStatus Parse(byte[] combined)
    {
        if (combined.Length >= 3 && combined[0] == 0xEF && combined[1] == 0xBB && combined[2] == 0xBF)
        {
            throw new FormatException("output starts with a UTF-8 BOM");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(combined, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new FormatException($"not exactly one JSON value: {e.Message}\n--- output ---\n{Encoding.UTF8.GetString(combined)}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"top-level value is {root.ValueKind}");
            }

            string? status = null, message = null, device = null;
            bool? attached = null;
            Dictionary<string, bool>? capabilities = null;
            var capabilitiesNull = false;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name.ToLowerInvariant())
                {
                    case "status": status = String(property); break;
                    case "message": message = String(property); break;
                    case "device": device = String(property); break;
                    case "attached":
                        attached = property.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            JsonValueKind.Null => null,
                            _ => throw new FormatException($"attached is {property.Value.ValueKind}, not a boolean"),
                        };
                        break;
                    case "capabilities":
                        if (property.Value.ValueKind == JsonValueKind.Null)
                        {
                            capabilitiesNull = true;
                            capabilities = null;
                            break;
                        }

                        if (property.Value.ValueKind != JsonValueKind.Object)
                        {
                            throw new FormatException($"capabilities is {property.Value.ValueKind}");
                        }

                        capabilities = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
                        foreach (var capability in property.Value.EnumerateObject())
                        {
                            capabilities[capability.Name] = capability.Value.ValueKind switch
                            {
                                JsonValueKind.True => true,
                                JsonValueKind.False => false,
                                _ => throw new FormatException($"capability {capability.Name} is {capability.Value.ValueKind}, not a boolean"),
                            };
                        }

                        break;
                }
            }

            return new GoDriverStatus(status, message, device, attached, capabilities, capabilitiesNull);
        }

        static string? String(JsonProperty property) => property.Value.ValueKind switch
        {
            JsonValueKind.String => property.Value.GetString(),
            JsonValueKind.Null => null,
            _ => throw new FormatException($"{property.Name} is {property.Value.ValueKind}, not a string"),
        };
    }
}

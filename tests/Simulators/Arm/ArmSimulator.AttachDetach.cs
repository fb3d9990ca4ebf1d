using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Simulators.Arm;

/// <summary>
/// POST virtualMachines/{vm}/attachDetachDataDisks (Compute API 2024-03-01 and later): body
/// {"dataDisksToAttach":[{diskId, lun?, caching?, ...}], "dataDisksToDetach":[{diskId, detachOption?}]}.
/// A LUN left out is the lowest free one; a detach marks the entry toBeDetached. The update runs as
/// the VM update a sparse PUT starts (the same checks, conflicts and node emulation); it answers 202
/// with Location and Azure-AsyncOperation, and the operation ends with the VM's storage profile.
/// </summary>
public sealed partial class ArmSimulator
{
    private async Task AttachDetachDataDisksAsync(HttpContext context, string name)
    {
        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())?.AsObject() ?? [];
        var toAttach = body["dataDisksToAttach"]?.AsArray() ?? [];
        var toDetach = body["dataDisksToDetach"]?.AsArray() ?? [];
        if (toAttach.Count + toDetach.Count == 0)
        {
            await ArmErrorAsync(context, 400, "InvalidParameter", "At least one of dataDisksToAttach and dataDisksToDetach must be given.");
            return;
        }

        JsonArray? requested = null;
        lock (_lock)
        {
            if (_vms.TryGetValue(name, out var vm) && vm.ScaleSet is null)
            {
                var entries = vm.DataDisks.Select(d => new JsonObject
                {
                    ["lun"] = d.Lun,
                    ["name"] = d.Name,
                    ["caching"] = d.Caching,
                    ["managedDisk"] = new JsonObject { ["id"] = d.ManagedDiskId },
                    ["toBeDetached"] = d.ToBeDetached || toDetach.Any(x => string.Equals(x?["diskId"]?.GetValue<string>(), d.ManagedDiskId, StringComparison.OrdinalIgnoreCase)),
                    ["detachOption"] = toDetach.FirstOrDefault(x => string.Equals(x?["diskId"]?.GetValue<string>(), d.ManagedDiskId, StringComparison.OrdinalIgnoreCase))?["detachOption"]?.GetValue<string>() ?? d.DetachOption,
                }).ToList();
                var used = vm.DataDisks.Select(d => d.Lun).ToHashSet();
                foreach (var attach in toAttach)
                {
                    var id = attach?["diskId"]?.GetValue<string>() ?? string.Empty;
                    if (vm.DataDisks.Any(d => string.Equals(d.ManagedDiskId, id, StringComparison.OrdinalIgnoreCase)))
                    {
                        continue;
                    }

                    var lun = attach?["lun"]?.GetValue<int>() ?? Enumerable.Range(0, 64).First(l => !used.Contains(l));
                    used.Add(lun);
                    entries.Add(new JsonObject
                    {
                        ["lun"] = lun,
                        ["name"] = id.Split('/')[^1],
                        ["caching"] = attach?["caching"]?.GetValue<string>() ?? "None",
                        ["managedDisk"] = new JsonObject { ["id"] = id },
                    });
                }

                requested = [.. entries];
            }
        }

        await (requested is null
            ? NotFoundAsync(context, "Microsoft.Compute/virtualMachines", name)
            : UpdateVmAsync(context, name, requested, attachDetach: true));
    }
}

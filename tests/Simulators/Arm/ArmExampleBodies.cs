using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Simulators.Arm;

/// <summary>
/// The published example responses the double's compute bodies start from
/// (tests/VolumeDriver.Tests/TestData/ArmExamples, embedded): every field of the MaximumSet
/// examples, with the path parameters filled in as ARM fills them (the double's subscription and
/// resource group; any other "{name}" becomes "name", as ARM never answers a template). The double
/// then writes what it knows (names, ids, disks, identity, state) over these, so a field the
/// specification returns is never missing from its answers.
/// </summary>
internal sealed partial class ArmExampleBodies
{
    private readonly JsonObject _vm;
    private readonly JsonObject _scaleSetVm;

    public ArmExampleBodies(string subscriptionId, string resourceGroup)
    {
        JsonObject Read(string name)
        {
            using var stream = typeof(ArmExampleBodies).Assembly.GetManifestResourceStream("ArmExamples/" + name)
                ?? throw new InvalidOperationException($"the example {name} is not embedded in the double");
            var text = new StreamReader(stream).ReadToEnd()
                .Replace("{subscription-id}", subscriptionId, StringComparison.Ordinal)
                .Replace("{subscriptionId}", subscriptionId, StringComparison.Ordinal)
                .Replace("{resourceGroupName}", resourceGroup, StringComparison.Ordinal);
            return JsonNode.Parse(Placeholder().Replace(text, "$1"))!.AsObject();
        }

        // VirtualMachines_List's MaximumSet holds two VMs whose fields differ by one: together they are every field of a VM.
        var vms = Read("compute-2026-04-01/VirtualMachine_List_MaximumSet_Gen.json")["responses"]!["200"]!["body"]!["value"]!.AsArray();
        _vm = vms[1]!.DeepClone().AsObject();
        MergeShape(_vm, vms[0]!.AsObject());
        _scaleSetVm = Read("compute-2026-04-01/VirtualMachineScaleSetVM_Update_MaximumSet_Gen.json")["responses"]!["200"]!["body"]!.AsObject();
    }

    /// <summary>A VM (VirtualMachines_List_MaximumSet_Gen), to be written over.</summary>
    public JsonObject Vm() => _vm.DeepClone().AsObject();

    /// <summary>A scale-set VM (VirtualMachineScaleSetVM_Update_MaximumSet_Gen's 200), to be written over.</summary>
    public JsonObject ScaleSetVm() => _scaleSetVm.DeepClone().AsObject();

    /// <summary>A data disk entry of a storage profile (the scale-set VM's: the VM example lists none), to be written over.</summary>
    public JsonObject DataDisk() => _scaleSetVm["properties"]!["storageProfile"]!["dataDisks"]![0]!.DeepClone().AsObject();

    /// <summary>Adds to <paramref name="target"/> every property of <paramref name="source"/> it lacks, at every depth.</summary>
    private static void MergeShape(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (!target.ContainsKey(key))
            {
                target[key] = value?.DeepClone();
            }
            else if (target[key] is JsonObject inner && value is JsonObject other)
            {
                MergeShape(inner, other);
            }
            else if (target[key] is JsonArray list && value is JsonArray others)
            {
                foreach (var (mine, theirs) in list.Zip(others))
                {
                    if (mine is JsonObject a && theirs is JsonObject b)
                    {
                        MergeShape(a, b);
                    }
                }
            }
        }
    }

    [GeneratedRegex(@"\{([A-Za-z0-9-]+)\}")]
    private static partial Regex Placeholder();
}

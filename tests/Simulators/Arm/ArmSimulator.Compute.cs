using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace Simulators.Arm;

/// <summary>
/// Microsoft.Compute as ARM answers it: disks (PUT 202 + Azure-AsyncOperation + Location + Retry-After,
/// GET, DELETE 202/204, list), VMs (GET, sparse PUT of storageProfile.dataDisks answered 200 with
/// provisioningState Updating and an Azure-AsyncOperation), scale-set VMs (the same PUT answered as
/// VirtualMachineScaleSetVMs_Update allows: 202 with Location and Retry-After, or 200 still Updating
/// with no header, see <see cref="ScaleSetVmUpdates"/>), the operation status documents, and the
/// errors a driver meets: ConflictingUserInput for a disk attached elsewhere, OperationNotAllowed
/// for a VM already being updated or a disk attached at delete, 429 with Retry-After on demand.
/// managedBy and diskState change when the VM update completes, as ARM keeps them.
/// </summary>
public sealed partial class ArmSimulator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ArmDisk> _disks = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ArmVm> _vms = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ArmOperation> _operations = new(StringComparer.Ordinal);
    private readonly List<(string Method, Regex Path, int Status, string Code, int RetryAfter, int[] Remaining)> _faults = [];
    private readonly List<Task> _running = [];
    private int _failNextVmUpdates;
    private LoopNodeEmulator? _emulator;
    private readonly ArmExampleBodies _examples;

    private LoopNodeEmulator Emulator => _emulator ??= new LoopNodeEmulator(Path.Join(_options.StateDirectory, "disks"));

    /// <summary>Added to every ARM request.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The data disks a VM's size allows from now on (starts at <see cref="ArmSimulatorOptions.MaxDataDisks"/>).</summary>
    public int MaxDataDisks
    {
        get => Volatile.Read(ref _maxDataDisks);
        set => Volatile.Write(ref _maxDataDisks, value);
    }

    private int _maxDataDisks = -1;

    /// <summary>The next <paramref name="count"/> ARM requests matching answer with an ARM error (429 adds Retry-After).</summary>
    public void FailNext(string method, string pathPattern, int count, int status, string code, int retryAfterSeconds = 1)
    {
        lock (_lock)
        {
            _faults.Add((method, new Regex(pathPattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), status, code, retryAfterSeconds, [count]));
        }
    }

    /// <summary>The next <paramref name="count"/> VM updates end Failed (InternalExecutionError).</summary>
    public void FailNextVmUpdates(int count)
    {
        lock (_lock)
        {
            _failNextVmUpdates = count;
        }
    }

    /// <summary>What tests see of blob disks: each VHD a VM holds, with its LUN.</summary>
    public IReadOnlyList<(string Vm, string VhdUri, int Lun)> VhdAttachments()
    {
        lock (_lock)
        {
            return _vms.Values.SelectMany(v => v.DataDisks.Where(d => d.VhdUri is not null).Select(d => (v.Name, d.VhdUri!, d.Lun))).ToList();
        }
    }

    /// <summary>What tests see: each disk's managedBy VM name and the LUN it has there.</summary>
    public IReadOnlyList<(string Name, string? AttachedTo, int? Lun, int SizeGb, string Sku)> Disks()
    {
        lock (_lock)
        {
            return _disks.Values.Select(d =>
            {
                var vm = d.ManagedBy is null ? null : _vms.Values.First(v => VmResourceId(v).Equals(d.ManagedBy, StringComparison.OrdinalIgnoreCase)).Name;
                var lun = vm is null ? null : _vms[vm].DataDisks.FirstOrDefault(x => x.Name.Equals(d.Name, StringComparison.OrdinalIgnoreCase))?.Lun;
                return (d.Name, vm, lun, d.SizeGb, d.Sku);
            }).ToList();
        }
    }

    /// <summary>Creates a disk directly (as if provisioned earlier).</summary>
    public void SeedDisk(string name, int sizeGb, string sku = "Premium_LRS")
    {
        lock (_lock)
        {
            _disks[name] = new ArmDisk { Name = name, Sku = sku, SizeGb = sizeGb, Location = _options.Location, ProvisioningState = "Succeeded" };
        }
    }

    /// <summary>How many VM updates (PUT or PATCH of a VM) the double accepted.</summary>
    public int VmUpdates => Requests.Snapshot().Where(p => p.Key.StartsWith("PUT ", StringComparison.Ordinal) || p.Key.StartsWith("PATCH ", StringComparison.Ordinal)).Where(p => p.Key.Contains("/virtualMachines/", StringComparison.Ordinal)).Sum(p => p.Value);

    public async Task WaitForIdleAsync(TimeSpan timeout)
    {
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).WaitAsync(timeout);
    }

    /// <summary>The injected fault this request meets (counted off), or null.</summary>
    private (int Status, string Code, int RetryAfter)? InjectedFault(HttpContext context, string path)
    {
        lock (_lock)
        {
            foreach (var candidate in _faults)
            {
                if (candidate.Remaining[0] > 0 && candidate.Method == context.Request.Method && candidate.Path.IsMatch(path))
                {
                    candidate.Remaining[0]--;
                    return (candidate.Status, candidate.Code, candidate.RetryAfter);
                }
            }
        }

        return null;
    }

    private static async Task WriteFaultAsync(HttpContext context, (int Status, string Code, int RetryAfter) fault)
    {
        if (fault.Status == 429)
        {
            context.Response.Headers.RetryAfter = fault.RetryAfter.ToString(CultureInfo.InvariantCulture);
        }

        var message = fault.Status == 429
            ? "The server rejected the request because too many requests have been received for this subscription."
            : "Injected fault.";
        await ArmErrorAsync(context, fault.Status, fault.Code, message);
    }

    private async Task ComputeAsync(HttpContext context, string path)
    {
        try
        {
            await RouteComputeAsync(context, path);
        }
        catch (ArmFault fault)
        {
            var error = new JsonObject { ["code"] = fault.Code, ["message"] = fault.Message };
            if (fault.Target is not null)
            {
                error["target"] = fault.Target;
            }

            await WriteJsonAsync(context, fault.Status, new JsonObject { ["error"] = error });
        }
    }

    private async Task RouteComputeAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        var provider = $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Compute/";
        var operations = $"/subscriptions/{_options.SubscriptionId}/providers/Microsoft.Compute/locations/{_options.Location}/";
        if (method == "GET" && path.StartsWith(operations, StringComparison.OrdinalIgnoreCase))
        {
            await OperationAsync(context, path[(path.LastIndexOf('/') + 1)..]);
            return;
        }

        if (!path.StartsWith(provider, StringComparison.OrdinalIgnoreCase))
        {
            await ArmErrorAsync(context, 404, "ResourceGroupNotFound", $"Resource group '{path.Split('/').ElementAtOrDefault(4)}' could not be found.");
            return;
        }

        var rest = path[provider.Length..].Split('/');
        switch (rest, method)
        {
            case (["disks"], "GET"):
                JsonArray list;
                lock (_lock)
                {
                    list = [.. _disks.Values.Select(DiskJson)];
                }

                await WriteJsonAsync(context, 200, new JsonObject { ["value"] = list });
                return;
            case (["disks", var name], "GET"):
                JsonObject? disk;
                lock (_lock)
                {
                    disk = _disks.TryGetValue(name, out var d) ? DiskJson(d) : null;
                }

                await (disk is null ? NotFoundAsync(context, "Microsoft.Compute/disks", name) : WriteJsonAsync(context, 200, disk));
                return;
            case (["disks", var name], "PUT"):
                await PutDiskAsync(context, name);
                return;
            case (["disks", var name], "PATCH"):
                await PatchDiskAsync(context, name);
                return;
            case (["disks", var name], "DELETE"):
                await DeleteDiskAsync(context, name);
                return;
            case (["virtualMachines", var name], "GET"):
                JsonObject? vm;
                lock (_lock)
                {
                    vm = _vms.TryGetValue(name, out var v) && v.ScaleSet is null ? VmJson(v, v.Updating is null ? "Succeeded" : "Updating", context.Request.Query["$expand"]) : null;
                }

                await (vm is null ? NotFoundAsync(context, "Microsoft.Compute/virtualMachines", name) : WriteJsonAsync(context, 200, vm));
                return;
            case (["virtualMachines", var name, "attachDetachDataDisks"], "POST"):
                await AttachDetachDataDisksAsync(context, name);
                return;
            case (["virtualMachines", var name], "PUT" or "PATCH"):
                bool standalone;
                lock (_lock)
                {
                    standalone = !_vms.TryGetValue(name, out var target) || target.ScaleSet is null;
                }

                await (standalone ? UpdateVmAsync(context, name) : NotFoundAsync(context, "Microsoft.Compute/virtualMachines", name));
                return;
            case (["virtualMachineScaleSets", var scaleSet, "virtualMachines", var instanceId], _):
                string? computerName;
                lock (_lock)
                {
                    computerName = _vms.Values.FirstOrDefault(v => string.Equals(v.ScaleSet, scaleSet, StringComparison.OrdinalIgnoreCase) && v.InstanceId == instanceId)?.Name;
                }

                if (computerName is null)
                {
                    await NotFoundAsync(context, "Microsoft.Compute/virtualMachineScaleSets/" + scaleSet + "/virtualMachines", instanceId);
                }
                else if (method == "GET")
                {
                    JsonObject instance;
                    lock (_lock)
                    {
                        var v = _vms[computerName];
                        instance = VmJson(v, v.Updating is null ? "Succeeded" : "Updating", context.Request.Query["$expand"]);
                    }

                    await WriteJsonAsync(context, 200, instance);
                }
                else if (method == "PUT")
                {
                    await UpdateVmAsync(context, computerName);
                }
                else
                {
                    break;
                }

                return;
        }

        await ArmErrorAsync(context, 405, "MethodNotAllowed", $"{method} is not supported on {path}.");
    }

    private async Task PutDiskAsync(HttpContext context, string name)
    {
        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();
        var sku = body["sku"]?["name"]?.GetValue<string>() ?? "Standard_LRS";
        var sizeGb = body["properties"]?["diskSizeGB"]?.GetValue<int>();
        var creationData = body["properties"]?["creationData"]?.AsObject();
        var createOption = creationData?["createOption"]?.GetValue<string>();
        string[] skus = ["Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS", "PremiumV2_LRS"];
        if (!skus.Contains(sku))
        {
            await ArmErrorAsync(context, 400, "InvalidParameter", $"The value '{sku}' of parameter 'sku.name' is not allowed. Allowed values: {string.Join(", ", skus)}.");
            return;
        }

        var location = body["location"]?.GetValue<string>() ?? _options.Location;
        bool exists;
        lock (_lock)
        {
            exists = _disks.ContainsKey(name);
        }

        long? importedBytes = !exists && createOption == "Import" ? await ReadImportSourceAsync(name, creationData!, location, context.RequestAborted) : null;
        ArmOperation operation;
        JsonObject answer;
        lock (_lock)
        {
            if (_disks.TryGetValue(name, out var existing))
            {
                if (sizeGb is { } grow && grow < existing.SizeGb)
                {
                    throw new ArmFault(409, "BadRequest", $"Disk '{name}' of size {existing.SizeGb} GB cannot be shrunk to {grow} GB.");
                }

                existing.SizeBytes = sizeGb is null ? existing.SizeBytes : null;
                existing.SizeGb = sizeGb ?? existing.SizeGb;
                existing.Sku = sku;
                existing.ProvisioningState = "Updating";
                operation = StartOperation("disk", () => existing.ProvisioningState = "Succeeded", () => DiskJson(existing));
                answer = DiskJson(existing);
            }
            else
            {
                if (importedBytes is null && (createOption is not "Empty" || sizeGb is not > 0))
                {
                    throw new ArmFault(400, "InvalidParameter", "A new disk needs properties.creationData.createOption 'Empty' and properties.diskSizeGB greater than 0, or createOption 'Import' with sourceUri and storageAccountId.");
                }

                var disk = new ArmDisk
                {
                    Name = name,
                    Sku = sku,
                    SizeGb = importedBytes is { } imported ? (int)((imported + (1L << 30) - 1) >> 30) : sizeGb!.Value,
                    SizeBytes = importedBytes,
                    CreationData = creationData!.DeepClone().AsObject(),
                    Location = location,
                    Tags = body["tags"]?.AsObject().DeepClone().AsObject() ?? [],
                    Zones = body["zones"]?.AsArray().DeepClone().AsArray(),
                };
                _disks[name] = disk;
                operation = StartOperation("disk", () => disk.ProvisioningState = "Succeeded", () => DiskJson(disk));
                answer = DiskJson(disk);
            }
        }

        if (importedBytes is not null)
        {
            // An imported disk starts with the VHD's data: on emulated nodes, whatever was written to it there.
            await Emulator.CopyBackingFileAsync(VhdEmulationKey(creationData!["sourceUri"]!.GetValue<string>()), answer["properties"]!["uniqueId"]!.GetValue<string>());
        }

        SetOperationHeaders(context, operation, "DiskOperations", withLocation: true);
        await WriteJsonAsync(context, 202, answer);
    }

    /// <summary>A disk update: here only properties.diskSizeGB, which may grow and never shrink.</summary>
    private async Task PatchDiskAsync(HttpContext context, string name)
    {
        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();
        var sizeGb = body["properties"]?["diskSizeGB"]?.GetValue<int>();
        ArmOperation operation;
        JsonObject answer;
        lock (_lock)
        {
            if (!_disks.TryGetValue(name, out var disk))
            {
                throw new ArmFault(404, "ResourceNotFound", $"The Resource 'Microsoft.Compute/disks/{name}' under resource group '{_options.ResourceGroup}' was not found.");
            }

            if (sizeGb is { } wanted && wanted < disk.SizeGb)
            {
                throw new ArmFault(400, "BadRequest", $"Disk '{name}' of size {disk.SizeGb} GB cannot be shrunk to {wanted} GB.");
            }

            disk.ProvisioningState = "Updating";
            operation = StartOperation("disk", () =>
            {
                disk.SizeBytes = sizeGb is null ? disk.SizeBytes : null;
                disk.SizeGb = sizeGb ?? disk.SizeGb;
                disk.ProvisioningState = "Succeeded";
            }, () => DiskJson(disk));
            answer = DiskJson(disk);
        }

        SetOperationHeaders(context, operation, "DiskOperations", withLocation: true);
        await WriteJsonAsync(context, 202, answer);
    }

    private async Task DeleteDiskAsync(HttpContext context, string name)
    {
        ArmOperation operation;
        lock (_lock)
        {
            if (!_disks.TryGetValue(name, out var disk))
            {
                context.Response.StatusCode = 204;
                return;
            }

            if (disk.ManagedBy is not null)
            {
                throw new ArmFault(409, "OperationNotAllowed", $"Disk {name} is attached to VM {disk.ManagedBy}.");
            }

            operation = StartOperation("disk", () => _disks.Remove(name), () => null);
        }

        SetOperationHeaders(context, operation, "DiskOperations", withLocation: true);
        context.Response.StatusCode = 202;
    }

    /// <summary>
    /// A VM update: the body's storageProfile.dataDisks replaces the list (a sparse PUT leaves every
    /// other property as it is). Entries marked toBeDetached leave when the update completes.
    /// </summary>
    /// <param name="attachDetach">The request was POST attachDetachDataDisks (<paramref name="requested"/> is the list it leads to):
    /// answered 202 with Location and Azure-AsyncOperation, and the operation's result is the storage profile.</param>
    private async Task UpdateVmAsync(HttpContext context, string name, JsonArray? requested = null, bool attachDetach = false)
    {
        if (!attachDetach)
        {
            var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();
            requested = body["properties"]?["storageProfile"]?["dataDisks"]?.AsArray();
        }

        ArmOperation operation;
        JsonObject answer;
        ScaleSetVmUpdateAnswer? scaleSetAnswer = null;
        lock (_lock)
        {
            if (!_vms.TryGetValue(name, out var vm))
            {
                throw new ArmFault(404, "ResourceNotFound", $"The Resource 'Microsoft.Compute/virtualMachines/{name}' under resource group '{_options.ResourceGroup}' was not found.");
            }

            if (vm.Updating is not null)
            {
                throw new ArmFault(409, "OperationNotAllowed", $"Operation 'Update VM' is not allowed on VM '{name}' since the VM is marked for update by another operation. Retry after the operation completes.");
            }

            var disks = new List<ArmDataDisk>();
            foreach (var entry in requested ?? [])
            {
                var lun = entry!["lun"]!.GetValue<int>();
                var id = entry["managedDisk"]?["id"]?.GetValue<string>() ?? string.Empty;
                var diskName = id.Split('/')[^1];
                if (lun is < 0 or > 63 || disks.Any(d => d.Lun == lun))
                {
                    throw new ArmFault(400, "InvalidParameter", $"A disk at LUN {lun} already exists or the LUN is out of range (0-63).");
                }

                if (entry["vhd"]?["uri"]?.GetValue<string>() is { Length: > 0 } vhd)
                {
                    // A blob disk: no disk resource; the VM leases the blob (checked when the update runs).
                    disks.Add(new ArmDataDisk(lun, entry["name"]?.GetValue<string>() ?? vhd.Split('/')[^1], entry["caching"]?.GetValue<string>() ?? "None", string.Empty, entry["toBeDetached"]?.GetValue<bool>() ?? false, vhd));
                    continue;
                }

                if (!_disks.TryGetValue(diskName, out var disk))
                {
                    throw new ArmFault(404, "NotFound", $"Disk {diskName} is not found.");
                }

                var vmId = VmResourceId(vm);
                if (disk.ManagedBy is { } owner && !owner.Equals(vmId, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ArmFault(409, "ConflictingUserInput", $"Cannot attach the disk {diskName} to VM {vmId} because it is already attached to VM {owner}. A disk can be attached to only one VM at a time.", DiskResourceId(diskName));
                }

                disks.Add(new ArmDataDisk(lun, entry["name"]?.GetValue<string>() ?? diskName, entry["caching"]?.GetValue<string>() ?? "None", DiskResourceId(diskName), entry["toBeDetached"]?.GetValue<bool>() ?? false, DetachOption: entry["detachOption"]?.GetValue<string>()));
            }

            var limit = MaxDataDisks < 0 ? _options.MaxDataDisks : MaxDataDisks;
            if (disks.Count(d => !d.ToBeDetached) > limit)
            {
                // As azuredisk-csi-driver#2883 records it: 409, OperationNotAllowed, no target.
                throw new ArmFault(409, "OperationNotAllowed", $"The maximum number of data disks allowed to be attached to a VM of this size is {limit}.");
            }

            var added = disks.Where(d => !vm.DataDisks.Any(e => e.ManagedDiskId.Equals(d.ManagedDiskId, StringComparison.OrdinalIgnoreCase) && string.Equals(e.VhdUri, d.VhdUri, StringComparison.OrdinalIgnoreCase))).ToList();
            if (vm.UnmanagedOsDisk && added.Any(d => d.VhdUri is null))
            {
                throw new ArmFault(409, "OperationNotAllowed", "Addition of a managed disk to a VM with blob based disks is not supported.", "dataDisk");
            }

            if (!vm.UnmanagedOsDisk && added.Any(d => d.VhdUri is not null))
            {
                throw new ArmFault(409, "OperationNotAllowed", "Addition of a blob based disk to VM with managed disks is not supported.", "dataDisk");
            }

            // A VHD another VM holds is leased: the update fails when it runs, as kubernetes#46421 records it.
            var leased = added.FirstOrDefault(d => d.VhdUri is not null && _vms.Values.Any(other => other != vm && other.DataDisks.Any(e => string.Equals(e.VhdUri, d.VhdUri, StringComparison.OrdinalIgnoreCase))));

            var fail = _failNextVmUpdates > 0;
            if (fail)
            {
                _failNextVmUpdates--;
            }

            var previous = vm.DataDisks;
            var previousVhds = previous.Where(d => d.VhdUri is not null).Select(d => d.VhdUri!).ToList();
            vm.DataDisks = disks;
            _options.EmulatedNodes.TryGetValue(name, out var emulationRoot);
            operation = StartOperation("vm", () =>
            {
                vm.Updating = null;
                if (leased is not null)
                {
                    vm.DataDisks = previous;
                    return new JsonObject { ["code"] = "AcquireDiskLeaseFailed", ["message"] = $"Failed to acquire lease while creating disk '{leased.Name}' using blob with URI {leased.VhdUri}. Blob is already in use." };
                }

                if (fail)
                {
                    // A failed update leaves the VM's disks as they were.
                    vm.DataDisks = previous;
                    return new JsonObject { ["code"] = "InternalExecutionError", ["message"] = "An internal execution error occurred. Please retry later." };
                }

                if (emulationRoot is not null)
                {
                    foreach (var leaving in vm.DataDisks.Where(d => d.ToBeDetached))
                    {
                        if (EmulationKey(leaving) is { } leavingKey && Emulator.CanDetach(name, leavingKey) is { } refusal)
                        {
                            // Not an ARM error: the emulated guest refuses, to catch a driver that detaches a mounted disk.
                            vm.DataDisks = previous;
                            return new JsonObject { ["code"] = "EmulatedGuestRefusedDetach", ["message"] = refusal };
                        }
                    }
                }

                vm.DataDisks = vm.DataDisks.Where(d => !d.ToBeDetached).ToList();
                vm.Version++;
                vm.Modified = DateTimeOffset.UtcNow;
                foreach (var disk in _disks.Values)
                {
                    var here = vm.DataDisks.Any(d => d.Name.Equals(disk.Name, StringComparison.OrdinalIgnoreCase));
                    if (here && disk.ManagedBy is null)
                    {
                        disk.ManagedBy = VmResourceId(vm);
                        disk.OwnershipChanged = DateTimeOffset.UtcNow;
                    }
                    else if (!here && string.Equals(disk.ManagedBy, VmResourceId(vm), StringComparison.OrdinalIgnoreCase))
                    {
                        disk.ManagedBy = null;
                        disk.OwnershipChanged = DateTimeOffset.UtcNow;
                    }
                }

                return null;
            }, () => attachDetach ? VmJson(vm, "Succeeded")["properties"]!["storageProfile"]!.DeepClone() : VmJson(vm, "Succeeded", UpdateAnswer), async () =>
            {
                try
                {
                    await MirrorVhdLeasesAsync(vm, previousVhds);
                }
                catch (ArmFault)
                {
                    lock (_lock)
                    {
                        vm.DataDisks = previous;
                    }

                    throw;
                }

                if (emulationRoot is not null)
                {
                    await EmulateAsync(vm, emulationRoot);
                }
            });
            vm.Updating = operation;
            answer = VmJson(vm, "Updating", UpdateAnswer);
            scaleSetAnswer = vm.ScaleSet is null ? null : ScaleSetVmUpdates;
        }

        if (attachDetach)
        {
            SetOperationHeaders(context, operation, "operations", withLocation: true);
            context.Response.StatusCode = 202;
            return;
        }

        if (scaleSetAnswer is ScaleSetVmUpdateAnswer.AcceptedWithLocation)
        {
            // VirtualMachineScaleSetVMs_Update's 202: the VM, Location (ArmLroLocationHeader, final result the VM) and Retry-After.
            SetOperationHeaders(context, operation, "operations", withLocation: true, withAsyncOperation: false);
            await WriteJsonAsync(context, 202, answer);
            return;
        }

        if (scaleSetAnswer is ScaleSetVmUpdateAnswer.OkUpdating)
        {
            // Its 200: the VM still Updating, no operation header; the client GETs the VM until it ends.
            await WriteJsonAsync(context, 200, answer);
            return;
        }

        // VirtualMachines_CreateOrUpdate's 200: the VM, Azure-AsyncOperation and Retry-After.
        SetOperationHeaders(context, operation, "operations", withLocation: false);
        await WriteJsonAsync(context, 200, answer);
    }

    private async Task OperationAsync(HttpContext context, string id)
    {
        ArmOperation? operation;
        lock (_lock)
        {
            _operations.TryGetValue(id, out operation);
        }

        if (operation is null)
        {
            await NotFoundAsync(context, "operations", id);
            return;
        }

        if (context.Request.Query["monitor"] == "true")
        {
            // The Location URL: 202 while running, then the resource (or 204 for a delete).
            if (operation.Status == "InProgress")
            {
                context.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers.Location = context.Request.GetEncodedUrl();
                context.Response.StatusCode = 202;
                return;
            }

            var result = operation.Result?.Invoke();
            if (result is null)
            {
                context.Response.StatusCode = 204;
                return;
            }

            await WriteJsonAsync(context, 200, result);
            return;
        }

        var document = new JsonObject
        {
            ["startTime"] = operation.Start.ToString("o", CultureInfo.InvariantCulture),
            ["status"] = operation.Status,
            ["name"] = operation.Id,
        };
        if (operation.End is { } end)
        {
            document["endTime"] = end.ToString("o", CultureInfo.InvariantCulture);
        }

        if (operation.Error is { } error)
        {
            document["error"] = error.DeepClone();
        }

        if (operation.Status == "InProgress")
        {
            context.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        await WriteJsonAsync(context, 200, document);
    }

    /// <summary>
    /// Starts an operation that applies its effect after <see cref="ArmSimulatorOptions.OperationTime"/>,
    /// then runs the node emulation (a hot-added disk is visible in the guest when the operation
    /// ends) before reporting success. Call under the lock.
    /// </summary>
    private ArmOperation StartOperation(string kind, Func<JsonObject?> complete, Func<JsonNode?> result, Func<Task>? afterSuccess = null)
    {
        var operation = new ArmOperation { Id = Guid.NewGuid().ToString(), Kind = kind, Result = result };
        _operations[operation.Id] = operation;
        _running.Add(Task.Run(async () =>
        {
            await Task.Delay(_options.OperationTime, _options.OperationClock);
            JsonObject? error;
            lock (_lock)
            {
                error = complete();
            }

            if (error is null && afterSuccess is not null)
            {
                try
                {
                    await afterSuccess();
                }
                catch (ArmFault fault)
                {
                    error = new JsonObject { ["code"] = fault.Code, ["message"] = fault.Message };
                }
                catch (Exception e)
                {
                    error = new JsonObject { ["code"] = "EmulationFailed", ["message"] = e.Message };
                }
            }

            lock (_lock)
            {
                operation.Status = error is null ? "Succeeded" : "Failed";
                operation.Error = error;
                operation.End = DateTimeOffset.UtcNow;
            }
        }));
        return operation;
    }

    /// <summary>
    /// What an Azure Linux guest shows for its data disks: a SCSI device H:0:0:LUN with vendor Msft and
    /// model Virtual Disk, WALinuxAgent's /dev/disk/azure/scsi1/lunN link, and the root and resource
    /// links that name the OS and temporary disks.
    /// </summary>
    /// <summary>The emulated disk behind a data disk entry: a managed disk's unique id, or a key derived from a VHD's URI.</summary>
    private string? EmulationKey(ArmDataDisk entry) => entry.VhdUri is { } vhd
        ? VhdEmulationKey(vhd)
        : _disks.TryGetValue(entry.Name, out var disk) ? disk.UniqueId : null;

    private static string VhdEmulationKey(string vhd) =>
        "vhd-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(vhd.ToLowerInvariant())))[..16];

    private async Task EmulateAsync(ArmVm vm, string root)
    {
        List<(ArmDataDisk Entry, string Key, long SizeMb)> present;
        lock (_lock)
        {
            present = vm.DataDisks.Where(d => d.VhdUri is null && _disks.ContainsKey(d.Name)).Select(d => (d, _disks[d.Name].UniqueId, (long)_disks[d.Name].SizeGb * 1024)).ToList();
        }

        // A VHD's emulated disk is keyed by its URI, so its data follows it from VM to VM.
        foreach (var vhd in vm.DataDisks.Where(d => d.VhdUri is not null))
        {
            var bytes = _options.VhdDiskBytes?.Invoke(vhd.VhdUri!) ?? (1L << 30);
            present.Add((vhd, EmulationKey(vhd)!, bytes / (1024 * 1024)));
        }

        Link(Path.Join(root, "dev/disk/azure/root"), "/dev/emulated-os-disk");
        Link(Path.Join(root, "dev/disk/azure/resource"), "/dev/emulated-resource-disk");
        var scan = Path.Join(root, "sys/class/scsi_host/host5/scan");
        if (!File.Exists(scan))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(scan)!);
            await File.WriteAllTextAsync(scan, string.Empty);
        }

        foreach (var (entry, key, sizeMb) in present)
        {
            if (Emulator.IsAttached(vm.Name, key))
            {
                continue;
            }

            await Emulator.AttachAsync(vm.Name, key, sizeMb, device =>
            {
                var lun = entry.Lun.ToString(CultureInfo.InvariantCulture);
                var scsi = Path.Join(root, "sys/bus/scsi/devices", "5:0:0:" + lun);
                Directory.CreateDirectory(Path.Join(scsi, "block", Path.GetFileName(device)));
                File.WriteAllText(Path.Join(scsi, "vendor"), "Msft    \n");
                File.WriteAllText(Path.Join(scsi, "model"), "Virtual Disk    \n");
                return [scsi, LoopNodeEmulator.Link(Path.Join(root, "dev/disk/azure/scsi1", "lun" + lun), device)];
            });
        }

        foreach (var key in Emulator.AttachedKeys(vm.Name).Except(present.Select(p => p.Key)).ToList())
        {
            await Emulator.DetachAsync(vm.Name, key);
        }
    }

    private static void Link(string path, string target)
    {
        if (new FileInfo(path).LinkTarget is null)
        {
            LoopNodeEmulator.Link(path, target);
        }
    }

    private ArmOperation StartOperation(string kind, Action complete, Func<JsonNode?> result) =>
        StartOperation(kind, () =>
        {
            complete();
            return null;
        }, result);

    private void SetOperationHeaders(HttpContext context, ArmOperation operation, string collection, bool withLocation, bool withAsyncOperation = true)
    {
        var apiVersion = context.Request.Query["api-version"].ToString();
        var url = $"{BaseUri}subscriptions/{_options.SubscriptionId}/providers/Microsoft.Compute/locations/{_options.Location}/{collection}/{operation.Id}";
        if (withAsyncOperation)
        {
            context.Response.Headers["Azure-AsyncOperation"] = $"{url}?p=1&api-version={apiVersion}";
        }

        if (withLocation)
        {
            context.Response.Headers.Location = $"{url}?p=1&monitor=true&api-version={apiVersion}";
        }

        context.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
    }

    private string DiskResourceId(string name) => $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Compute/disks/{name}";

    private string VmResourceId(ArmVm vm) => vm.ScaleSet is null
        ? $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Compute/virtualMachines/{vm.Name}"
        : $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/{vm.ScaleSet}/virtualMachines/{vm.InstanceId}";

    /// <summary>
    /// A disk as GET answers it (Disk_Get and the Disk RP's 2025-01-02 and 2026-03-02 shapes): the
    /// performance tier its SKU and size give, the IOPS and throughput of the SKUs that have them,
    /// network and data access, and LastOwnershipUpdateTime once managedBy has changed.
    /// </summary>
    private JsonObject DiskJson(ArmDisk disk)
    {
        var properties = new JsonObject
        {
            ["creationData"] = disk.CreationData.DeepClone(),
            ["diskSizeGB"] = disk.SizeGb,
            ["diskSizeBytes"] = disk.SizeBytes ?? (long)disk.SizeGb << 30,
            ["uniqueId"] = disk.UniqueId,
            ["encryption"] = new JsonObject { ["type"] = "EncryptionAtRestWithPlatformKey" },
            ["networkAccessPolicy"] = "AllowAll",
            ["publicNetworkAccess"] = "Enabled",
            ["timeCreated"] = disk.Created.ToString("o", CultureInfo.InvariantCulture),
            ["provisioningState"] = disk.ProvisioningState,
            ["diskState"] = disk.ManagedBy is null ? "Unattached" : "Attached",
        };
        if (Tier(disk.Sku, disk.SizeGb) is { } tier)
        {
            properties["tier"] = tier;
        }

        if (disk.Sku is "UltraSSD_LRS" or "PremiumV2_LRS")
        {
            // The SKUs with provisioned performance: their baseline (3,000 IOPS, 125 MBps) until changed.
            properties["diskIOPSReadWrite"] = 3000;
            properties["diskMBpsReadWrite"] = 125;
        }

        if (disk.OwnershipChanged is { } owned)
        {
            properties["LastOwnershipUpdateTime"] = owned.ToString("o", CultureInfo.InvariantCulture);
        }

        var json = new JsonObject
        {
            ["name"] = disk.Name,
            ["id"] = DiskResourceId(disk.Name),
            ["type"] = "Microsoft.Compute/disks",
            ["location"] = disk.Location,
            ["tags"] = disk.Tags.DeepClone(),
            ["sku"] = new JsonObject { ["name"] = disk.Sku, ["tier"] = disk.Sku.StartsWith("Premium", StringComparison.Ordinal) || disk.Sku == "UltraSSD_LRS" ? "Premium" : "Standard" },
            ["properties"] = properties,
        };
        if (disk.ManagedBy is not null)
        {
            json["managedBy"] = disk.ManagedBy;
        }

        if (disk.Zones is not null)
        {
            json["zones"] = disk.Zones.DeepClone();
        }

        return json;
    }

    /// <summary>The performance tier Azure gives a disk of this SKU and size (P, E or S and a number); none for Ultra and Premium v2.</summary>
    private static string? Tier(string sku, int sizeGb)
    {
        (int MaxGb, int Number)[] tiers = [(4, 1), (8, 2), (16, 3), (32, 4), (64, 6), (128, 10), (256, 15), (512, 20), (1024, 30), (2048, 40), (4096, 50), (8192, 60), (16384, 70), (int.MaxValue, 80)];
        var prefix = sku switch
        {
            "Premium_LRS" or "Premium_ZRS" => "P",
            "StandardSSD_LRS" or "StandardSSD_ZRS" => "E",
            "Standard_LRS" => "S",
            _ => null,
        };
        if (prefix is null)
        {
            return null;
        }

        // Standard HDD starts at S4.
        var number = tiers.First(t => sizeGb <= t.MaxGb).Number;
        return prefix + (prefix == "S" ? Math.Max(4, number) : number).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A VM as ARM answers it at api-version 2026-04-01, built on the published MaximumSet example
    /// (VirtualMachine_List_MaximumSet_Gen; a scale-set instance on VirtualMachineScaleSetVM_Update_MaximumSet_Gen)
    /// so it carries every field the specification returns, with what the double knows written over
    /// it: names, ids, location, the node's image and plan, the zone, the managed identity, the etag
    /// counting updates, systemData, the extension in resources, the OS disk and the data disks.
    /// Where the example holds alternatives one VM cannot have at once, it keeps the one this VM has:
    /// a managed OS disk (managedDisk) or a blob one (vhd, image), a Linux node (linuxConfiguration,
    /// not windowsConfiguration). Write-only fields ARM never returns (adminPassword, customData,
    /// an extension's protectedSettings) are left out; instanceView and userData come only when
    /// $expand asks for them (a scale-set VM's update answer carries instanceView, as its example does).
    /// </summary>
    private JsonObject VmJson(ArmVm vm, string provisioningState, string? expand = null)
    {
        var json = vm.ScaleSet is null ? _examples.Vm() : _examples.ScaleSetVm();
        var id = VmResourceId(vm);
        json["name"] = vm.ScaleSet is null ? vm.Name : vm.ScaleSet + "_" + vm.InstanceId;
        json["id"] = id;
        json["type"] = vm.ScaleSet is null ? "Microsoft.Compute/virtualMachines" : "Microsoft.Compute/virtualMachineScaleSets/virtualMachines";
        json["location"] = _options.Location;
        json["tags"] = new JsonObject { ["poolName"] = "agentpool", ["orchestrator"] = "Kubernetes:1.31.2" };
        json["etag"] = $"\"{vm.Version.ToString(CultureInfo.InvariantCulture)}\"";
        json["zones"] = new JsonArray("1");
        var plan = Child(json, "plan");
        (plan["name"], plan["publisher"], plan["product"]) = ("aks-ubuntu-2204-gen2", "microsoft-aks", "aks");
        if (vm.ScaleSet is not null)
        {
            json["instanceId"] = vm.InstanceId;
            var sku = Child(json, "sku");
            (sku["name"], sku["tier"]) = ("Standard_D16s_v5", "Standard");
        }

        json.Remove("identity");
        if (IdentityJson(vm) is { } identity)
        {
            json["identity"] = identity;
        }

        json["systemData"] = new JsonObject
        {
            ["createdBy"] = "aks-resource-provider",
            ["createdByType"] = "Application",
            ["createdAt"] = vm.Created.ToString("o", CultureInfo.InvariantCulture),
            ["lastModifiedBy"] = "aks-resource-provider",
            ["lastModifiedByType"] = "Application",
            ["lastModifiedAt"] = vm.Modified.ToString("o", CultureInfo.InvariantCulture),
        };

        var properties = Child(json, "properties");
        properties["vmId"] = vm.VmId;
        properties["provisioningState"] = provisioningState;
        properties["timeCreated"] = vm.Created.ToString("o", CultureInfo.InvariantCulture);
        Child(properties, "hardwareProfile")["vmSize"] = "Standard_D16s_v5";
        var storage = Child(properties, "storageProfile");
        var image = Child(storage, "imageReference");
        (image["publisher"], image["offer"], image["sku"], image["version"], image["exactVersion"]) = ("microsoft-aks", "aks", "aks-ubuntu-2204-gen2", "202411.12.0", "202411.12.0");
        var osDisk = Child(storage, "osDisk");
        (osDisk["osType"], osDisk["name"], osDisk["createOption"], osDisk["caching"], osDisk["diskSizeGB"]) = ("Linux", vm.Name + "_OsDisk_1", "FromImage", "ReadWrite", 30);
        if (vm.UnmanagedOsDisk)
        {
            osDisk.Remove("managedDisk");
            Child(osDisk, "vhd")["uri"] = $"https://k8sdisks.blob.core.windows.net/vhds/{vm.Name}-osdisk.vhd";
        }
        else
        {
            osDisk.Remove("vhd");
            osDisk.Remove("image");
            var managed = Child(osDisk, "managedDisk");
            (managed["storageAccountType"], managed["id"]) = ("Premium_LRS", DiskResourceId(vm.Name + "_OsDisk_1"));
        }

        storage["dataDisks"] = new JsonArray([.. vm.DataDisks.Select(DataDiskJson)]);
        var os = Child(properties, "osProfile");
        (os["computerName"], os["adminUsername"]) = (vm.Name, "azureuser");
        os.Remove("windowsConfiguration");
        os.Remove("adminPassword");
        os.Remove("customData");
        var linux = Child(os, "linuxConfiguration");
        Child(linux, "ssh")["publicKeys"] = new JsonArray(new JsonObject { ["path"] = "/home/azureuser/.ssh/authorized_keys", ["keyData"] = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0 azureuser" });
        var network = Child(properties, "networkProfile");
        if (network["networkInterfaces"] is JsonArray { Count: > 0 } nics && nics[0] is JsonObject nic)
        {
            nic["id"] = $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Network/networkInterfaces/{vm.Name}-nic";
        }

        if (vm.ScaleSet is not null)
        {
            (properties["latestModelApplied"], properties["modelDefinitionApplied"]) = (true, "VirtualMachineScaleSet");
        }

        var expanded = (expand ?? string.Empty).Split(',', StringSplitOptions.TrimEntries);
        if (!expanded.Contains("userData", StringComparer.OrdinalIgnoreCase))
        {
            properties.Remove("userData");
        }

        var instanceView = expanded.Contains("instanceView", StringComparer.OrdinalIgnoreCase) || (vm.ScaleSet is not null && expand == UpdateAnswer);
        if (!instanceView)
        {
            properties.Remove("instanceView");
        }
        else if (properties["instanceView"] is JsonObject view)
        {
            view["computerName"] = vm.Name;
        }

        foreach (var extension in json["resources"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            (extension["name"], extension["id"], extension["location"]) = ("vmssCSE", id + "/extensions/vmssCSE", _options.Location);
            extension["type"] = vm.ScaleSet is null ? "Microsoft.Compute/virtualMachines/extensions" : "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/extensions";
            var settings = Child(extension, "properties");
            (settings["provisioningState"], settings["publisher"], settings["type"], settings["typeHandlerVersion"]) = ("Succeeded", "Microsoft.Azure.Extensions", "CustomScript", "2.0");
            settings.Remove("protectedSettings");
            if (!instanceView)
            {
                settings.Remove("instanceView");
            }
        }

        return json;
    }

    /// <summary>The "expand" a scale-set VM's update answer is built with: its example answers with the instance view.</summary>
    private const string UpdateAnswer = "(update)";

    /// <summary>The object at <paramref name="key"/>, made when the example has none.</summary>
    private static JsonObject Child(JsonObject parent, string key)
    {
        if (parent[key] is not JsonObject child)
        {
            child = [];
            parent[key] = child;
        }

        return child;
    }

    /// <summary>identity as ARM answers it: principalId and tenantId for a system-assigned identity, userAssignedIdentities keyed by resource id with principalId and clientId.</summary>
    private JsonObject? IdentityJson(ArmVm vm)
    {
        if (vm.Identity is null)
        {
            return null;
        }

        var identity = new JsonObject();
        if (vm.Identity.Contains("SystemAssigned", StringComparison.Ordinal))
        {
            identity["principalId"] = vm.SystemPrincipalId;
            identity["tenantId"] = _options.TenantId;
        }

        identity["type"] = vm.Identity;
        if (vm.Identity.Contains("UserAssigned", StringComparison.Ordinal))
        {
            identity["userAssignedIdentities"] = new JsonObject
            {
                [$"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{_options.ResourceGroup}-agentpool"] = new JsonObject
                {
                    ["principalId"] = vm.UserPrincipalId,
                    ["clientId"] = vm.UserClientId,
                },
            };
        }

        return identity;
    }

    /// <summary>
    /// A data disk entry, on the published entry (every field of the example's): managedDisk for a
    /// managed disk, vhd.uri for a blob disk (never both). A disk encryption set, a source image and
    /// provisioned IOPS/throughput appear only for disks that have them (the double's disks use
    /// platform keys; Ultra and Premium v2 disks have IOPS); detachOption only as the update set it.
    /// </summary>
    private JsonNode DataDiskJson(ArmDataDisk d)
    {
        var entry = _examples.DataDisk();
        (entry["lun"], entry["name"], entry["createOption"], entry["caching"]) = (d.Lun, d.Name, "Attach", d.Caching);
        (entry["writeAcceleratorEnabled"], entry["toBeDetached"], entry["deleteOption"]) = (false, d.ToBeDetached, "Detach");
        entry.Remove("image");
        entry.Remove("detachOption");
        if (d.DetachOption is { } detach)
        {
            entry["detachOption"] = detach;
        }

        _disks.TryGetValue(d.Name, out var disk);
        if (d.VhdUri is null)
        {
            entry.Remove("vhd");
            entry["managedDisk"] = new JsonObject { ["storageAccountType"] = disk?.Sku ?? "Standard_LRS", ["id"] = d.ManagedDiskId };
            entry["diskSizeGB"] = disk?.SizeGb ?? 0;
        }
        else
        {
            entry.Remove("managedDisk");
            entry.Remove("diskSizeGB");
            Child(entry, "vhd")["uri"] = d.VhdUri;
        }

        if (disk?.Sku is "UltraSSD_LRS" or "PremiumV2_LRS")
        {
            (entry["diskIOPSReadWrite"], entry["diskMBpsReadWrite"]) = (3000, 125);
        }
        else
        {
            entry.Remove("diskIOPSReadWrite");
            entry.Remove("diskMBpsReadWrite");
        }

        return entry;
    }

    private Task NotFoundAsync(HttpContext context, string type, string name) =>
        ArmErrorAsync(context, 404, "ResourceNotFound", $"The Resource '{type}/{name}' under resource group '{_options.ResourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");

    /// <summary>An ARM error answer, thrown from under the lock and written by <see cref="ComputeAsync"/>.</summary>
    private sealed class ArmFault(int status, string code, string message, string? target = null) : Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;

        public string? Target { get; } = target;
    }
}

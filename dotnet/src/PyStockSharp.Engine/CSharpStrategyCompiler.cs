using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PyStockSharp.Engine;

/// <summary>A user's strategy file did not compile; <see cref="Exception.Message"/> lists every error.</summary>
public sealed class StrategyCompilationException : Exception
{
    public StrategyCompilationException(string path, IReadOnlyList<string> errors)
        : base($"{path}: compilation failed with {errors.Count} error(s):{Environment.NewLine}{string.Join(Environment.NewLine, errors)}")
    {
        Path = path; Errors = errors;
    }
    public StrategyCompilationException(string path, string message) : base(message) { Path = path; Errors = new[] { message }; }
    public string Path { get; }
    /// <summary>One line per error: <c>file:line:col: error CSxxxx: message</c>.</summary>
    public IReadOnlyList<string> Errors { get; }
}

/// <summary>Compiles a user's .cs strategy file with Roslyn against the engine; caches the dll by source sha256.</summary>
public static class CSharpStrategyCompiler
{
    private static readonly object Gate = new();

    /// <summary>Implicit usings added to every user file (like an SDK project's ImplicitUsings).</summary>
    public const string GlobalUsings =
        "global using System;\nglobal using System.Collections.Generic;\nglobal using System.Linq;\n" +
        "global using PyStockSharp.Engine;\nglobal using PyStockSharp.Engine.Indicators;\n";
    private static List<MetadataReference>? _refs;
    private static int _recompiled;
    /// <summary>The assemblies this process loaded, by cache key: the same source compiled for the same engine is one
    /// assembly whichever cache directory it came from (a second load of its name from another path is refused).</summary>
    private static readonly Dictionary<string, Assembly> LoadedByKey = new();

    /// <summary>The assembly at <paramref name="path"/>, or null when it is not a loadable image (a damaged cache entry).</summary>
    private static Assembly? TryLoadFrom(string path)
    {
        try { return Assembly.LoadFrom(path); }
        catch (BadImageFormatException) { return null; }
    }

    /// <summary>Whether <paramref name="path"/> is a file holding an assembly's metadata (read, not loaded).</summary>
    private static bool IsAssemblyImage(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            if (!pe.HasMetadata) return false;
            System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe).GetAssemblyDefinition();
            return true;
        }
        catch (BadImageFormatException) { return false; }
        catch (InvalidOperationException) { return false; }
        catch (IOException) { return false; }
    }

    /// <summary>Whether every type of <paramref name="assembly"/> loads.</summary>
    private static bool TypesLoad(Assembly assembly)
    {
        try { assembly.GetTypes(); return true; }
        catch (ReflectionTypeLoadException) { return false; }
        catch (TypeLoadException) { return false; }
        catch (BadImageFormatException) { return false; }
    }

    /// <summary>
    /// Compiles (or loads from <paramref name="cacheDir"/>) the file at <paramref name="path"/> and returns the
    /// Strategy subclass named <paramref name="className"/> (simple or full name; null = the only one in the file).
    /// </summary>
    public static Type LoadStrategy(string path, string? className, string cacheDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(cacheDir);
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"strategy file not found: {full}", full);
        var source = File.ReadAllText(full);
        var asm = LoadAssembly(full, source, cacheDir);
        return FindType(asm, full, className);
    }

    /// <summary>Like <see cref="LoadStrategy"/>, returning a factory of new instances.</summary>
    public static Func<Strategy> LoadFactory(string path, string? className, string cacheDir) => CreateFactory(LoadStrategy(path, className, cacheDir));

    public static Func<Strategy> CreateFactory(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!IsStrategyType(type) || type.IsAbstract) throw new ArgumentException($"{type.FullName} is not a concrete Strategy");
        if (type.GetConstructor(Type.EmptyTypes) == null) throw new ArgumentException($"{type.FullName} has no public parameterless constructor");
        // a compiled `new T()`: the constructor's own exception surfaces (no TargetInvocationException wrapper)
        System.Linq.Expressions.Expression body = System.Linq.Expressions.Expression.New(type);
        if (!typeof(Strategy).IsAssignableFrom(type))   // a StockSharp-style strategy: run its engine strategy
            body = System.Linq.Expressions.Expression.Property(System.Linq.Expressions.Expression.Convert(body, typeof(IHostedStrategy)), nameof(IHostedStrategy.EngineStrategy));
        return System.Linq.Expressions.Expression.Lambda<Func<Strategy>>(System.Linq.Expressions.Expression.Convert(body, typeof(Strategy))).Compile();
    }

    /// <summary>An engine strategy, or a strategy of another API hosted by one (the StockSharp API layer's).</summary>
    public static bool IsStrategyType(Type type) => typeof(Strategy).IsAssignableFrom(type) || typeof(IHostedStrategy).IsAssignableFrom(type);

    /// <summary>The StockSharp API layer's file name, beside the engine assembly.</summary>
    public const string StockSharpLayerAssembly = "StockSharp.Compat.dll";

    /// <summary>Usings every StockSharp-style file gets, as an SDK project's ImplicitUsings would give it.</summary>
    public const string StockSharpGlobalUsings =
        "global using System;\nglobal using System.Collections.Generic;\nglobal using System.IO;\nglobal using System.Linq;\n" +
        "global using System.Threading;\nglobal using System.Threading.Tasks;\n";

    /// <summary>True when the source imports StockSharp's namespaces (compiled against the StockSharp API layer).</summary>
    public static bool IsStockSharpStyle(string source)
        => System.Text.RegularExpressions.Regex.IsMatch(source ?? "", @"^\s*using\s+(static\s+)?(StockSharp|Ecng)(\.|\s*;)", System.Text.RegularExpressions.RegexOptions.Multiline);

    /// <summary>The StockSharp API layer (loaded once from beside the engine); null when it is not there.</summary>
    public static Assembly? StockSharpLayer()
    {
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
            if (a.GetName().Name == "StockSharp.Compat") return a;
        var dir = System.IO.Path.GetDirectoryName(typeof(Strategy).Assembly.Location);
        if (string.IsNullOrEmpty(dir)) return null;
        var path = System.IO.Path.Combine(dir, StockSharpLayerAssembly);
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }

    /// <summary>The cache key: sha256 of the source text, the engine version and the engine build id.</summary>
    public static string CacheKey(string source)
    {
        var engine = typeof(Strategy).Assembly.ManifestModule.ModuleVersionId.ToString("N");
        if (IsStockSharpStyle(source)) engine += " " + (StockSharpLayer()?.ManifestModule.ModuleVersionId.ToString("N") ?? "no-layer");
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(source + "\n//engine " + EngineInfo.Version + " " + engine));
        return Convert.ToHexString(bytes).ToLowerInvariant();
    }

    private static Assembly LoadAssembly(string fullPath, string source, string cacheDir)
    {
        var key = CacheKey(source);
        Directory.CreateDirectory(cacheDir);
        var dll = System.IO.Path.Combine(System.IO.Path.GetFullPath(cacheDir), $"strategy_{key}.dll");
        lock (Gate)
        {
            if (LoadedByKey.TryGetValue(key, out var loaded))
            {
                // this cache directory gets its entry too (written, or replaced when damaged), for the next processes
                if (!IsAssemblyImage(dll)) WriteAtomically(dll, Compile(fullPath, source, $"UserStrategy_{key[..16]}"));
                return loaded;
            }
            var asm = LoadUncached(fullPath, source, key, dll);
            LoadedByKey[key] = asm;
            return asm;
        }
    }

    /// <summary>The assembly of a cache entry, compiled (and written) first when the entry is missing or damaged.</summary>
    private static Assembly LoadUncached(string fullPath, string source, string key, string dll)
    {
        if (File.Exists(dll))
        {
            var cached = TryLoadFrom(dll);
            if (cached != null && TypesLoad(cached)) return cached;
            // a cache entry that cannot be loaded (a damaged file): replace it for the next runs, and load a fresh
            // compile in memory under another name, so that nothing of the unusable entry is reused here
            WriteAtomically(dll, Compile(fullPath, source, $"UserStrategy_{key[..16]}"));
            return Assembly.Load(Compile(fullPath, source, $"UserStrategy_{key[..16]}_{Environment.ProcessId}_{++_recompiled}"));
        }
        WriteAtomically(dll, Compile(fullPath, source, $"UserStrategy_{key[..16]}"));
        return Assembly.LoadFrom(dll);
    }

    /// <summary>
    /// Writes a cache entry as a new file renamed over the old one: an assembly this or another process loaded from the
    /// old file is mapped from it, and writing into it would change a loaded image under the runtime's feet.
    /// </summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        var tmp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// Compiles a helper library (not a strategy) against the framework, the engine and the assemblies at
    /// <paramref name="extraReferences"/>, caching it in <paramref name="cacheDir"/> by source and reference identity,
    /// and loads it. Used by the Python bridge for its pythonnet codecs (they reference Python.Runtime, known only at
    /// run time).
    /// </summary>
    public static Assembly LoadLibrary(string source, string name, string[] extraReferences, string cacheDir)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(extraReferences);
        var ids = string.Join(",", extraReferences.Select(r => File.Exists(r) ? AssemblyName.GetAssemblyName(r).FullName + File.GetLastWriteTimeUtc(r).Ticks : r));
        var key = CacheKey(source + "\n//refs " + ids);
        Directory.CreateDirectory(cacheDir);
        var dll = System.IO.Path.Combine(System.IO.Path.GetFullPath(cacheDir), $"{name}_{key[..24]}.dll");
        lock (Gate)
        {
            if (!File.Exists(dll))
            {
                var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: name + ".cs", encoding: Encoding.UTF8);
                var refs = new List<MetadataReference>(References());
                foreach (var r in extraReferences) refs.Add(MetadataReference.CreateFromFile(r));
                var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, deterministic: true);
                var comp = CSharpCompilation.Create($"{name}_{key[..16]}", new[] { tree }, refs, options);
                using var ms = new MemoryStream();
                var emit = comp.Emit(ms);
                if (!emit.Success)
                    throw new StrategyCompilationException(name, emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList());
                WriteAtomically(dll, ms.ToArray());
            }
            return Assembly.LoadFrom(dll);
        }
    }

    /// <summary>Compiles <paramref name="source"/> to a dll image; StrategyCompilationException on errors.</summary>
    public static byte[] Compile(string path, string source, string assemblyName)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: path, encoding: Encoding.UTF8);
        bool stockSharp = IsStockSharpStyle(source);
        var refs = References();
        if (stockSharp)
        {
            var layer = StockSharpLayer() ?? throw new StrategyCompilationException(path,
                $"{path}: a StockSharp-style strategy needs the StockSharp API layer ({StockSharpLayerAssembly}) beside the engine; rebuild with ./scripts/setup.sh");
            refs = new List<MetadataReference>(refs) { MetadataReference.CreateFromFile(layer.Location) };
        }
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
            nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: false, deterministic: true);
        var usings = CSharpSyntaxTree.ParseText(stockSharp ? StockSharpGlobalUsings : GlobalUsings, new CSharpParseOptions(LanguageVersion.Latest), path: "<global-usings>", encoding: Encoding.UTF8);
        var comp = CSharpCompilation.Create(assemblyName, new[] { tree, usings }, refs, options);
        using var ms = new MemoryStream();
        // debug information embedded in the dll: an exception the strategy throws names its file and line
        var emit = comp.Emit(ms, options: new Microsoft.CodeAnalysis.Emit.EmitOptions(debugInformationFormat: Microsoft.CodeAnalysis.Emit.DebugInformationFormat.Embedded));
        if (!emit.Success)
        {
            var errors = new List<string>();
            var missing = new List<string>();
            foreach (var d in emit.Diagnostics)
            {
                if (d.Severity != DiagnosticSeverity.Error) continue;
                var span = d.Location.GetMappedLineSpan();
                var file = span.IsValid && !string.IsNullOrEmpty(span.Path) ? span.Path : path;
                int line = span.IsValid ? span.StartLinePosition.Line + 1 : 0, col = span.IsValid ? span.StartLinePosition.Character + 1 : 0;
                var message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
                if (stockSharp && MissingMember(d, message) is { } member)
                {
                    if (missing.Contains(member)) continue;
                    missing.Add(member);
                    message = $"StockSharp API member not supported yet: {member}";
                }
                errors.Add($"{file}:{line}:{col}: error {d.Id}: {message}");
            }
            // the missing API members first: they are the cause, the rest usually follows from them
            errors.Sort((a, b) => (b.Contains("not supported yet", StringComparison.Ordinal) ? 1 : 0) - (a.Contains("not supported yet", StringComparison.Ordinal) ? 1 : 0));
            throw new StrategyCompilationException(path, errors);
        }
        return ms.ToArray();
    }

    /// <summary>
    /// The StockSharp member a diagnostic says is missing ("Strategy.SubscribeOrderBook"), for errors that name a
    /// member or type of StockSharp's API (CS0117/CS1061 no member, CS0103 no such name in the strategy, CS0246/CS0234
    /// no type, CS0115 nothing to override).
    /// </summary>
    internal static string? MissingMember(Diagnostic d, string message)
    {
        var q = System.Text.RegularExpressions.Regex.Matches(message, "'([^']+)'").Select(m => m.Groups[1].Value).ToArray();
        static string Short(string t) { var i = t.LastIndexOf('.'); var s = i >= 0 ? t[(i + 1)..] : t; return s; }
        static bool Ours(string t) => t.StartsWith("StockSharp.", StringComparison.Ordinal) || t.StartsWith("Ecng.", StringComparison.Ordinal);
        switch (d.Id)
        {
            case "CS0117" when q.Length >= 2 && Ours(q[0]):
            case "CS1061" when q.Length >= 2 && Ours(q[0]):
                return $"{Short(q[0])}.{q[1]}";
            case "CS0246" when q.Length >= 1:
                return q[0];
            case "CS0103" when q.Length >= 1:   // an unknown name in a Strategy subclass: an inherited member we lack
                return $"Strategy.{q[0]}";
            case "CS0234" when q.Length >= 2 && Ours(q[1]):
                return $"{q[1]}.{q[0]}";
            case "CS0115" when q.Length >= 1:
                var name = q[0];
                var paren = name.IndexOf('(');
                var head = paren >= 0 ? name[..paren] : name;
                var parts = head.Split('.');
                return parts.Length >= 2 ? $"Strategy.{parts[^1]}{(paren >= 0 ? name[paren..] : "")} (to override)" : name;
            default:
                return null;
        }
    }

    private static List<MetadataReference> References()
    {
        lock (Gate)
        {
            if (_refs != null) return _refs;
            var paths = new HashSet<string>(StringComparer.Ordinal);
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
                foreach (var p in tpa.Split(System.IO.Path.PathSeparator))
                {
                    var name = System.IO.Path.GetFileName(p);
                    if (name.StartsWith("System.", StringComparison.Ordinal) || name is "System.dll" or "mscorlib.dll" or "netstandard.dll" or "Microsoft.CSharp.dll")
                        paths.Add(p);
                }
            var fwDir = System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location);
            if (fwDir != null)
                foreach (var p in Directory.EnumerateFiles(fwDir, "*.dll"))
                {
                    var name = System.IO.Path.GetFileName(p);
                    if (name.StartsWith("System.", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll" or "Microsoft.CSharp.dll")
                        paths.Add(p);
                }
            paths.Add(typeof(Strategy).Assembly.Location);
            var refs = new List<MetadataReference>();
            foreach (var p in paths)
            {
                if (string.IsNullOrEmpty(p) || !File.Exists(p)) continue;
                if (System.IO.Path.GetFileName(p).Contains(".Native", StringComparison.Ordinal)) continue;
                try { refs.Add(MetadataReference.CreateFromFile(p)); } catch (BadImageFormatException) { }
            }
            // references that are not managed assemblies fail at compile time; filter them by reading metadata
            _refs = refs;
            return refs;
        }
    }

    private static Type FindType(Assembly asm, string path, string? className)
    {
        var candidates = new List<Type>();
        foreach (var t in asm.GetTypes())
            if (IsStrategyType(t) && !t.IsAbstract && t.IsPublic) candidates.Add(t);
        if (string.IsNullOrEmpty(className))
        {
            if (candidates.Count == 1) return candidates[0];
            throw new StrategyCompilationException(path, candidates.Count == 0
                ? $"{path}: no public non-abstract Strategy subclass found"
                : $"{path}: several strategies found ({string.Join(", ", candidates.Select(c => c.FullName))}); name one");
        }
        foreach (var t in candidates)
            if (t.FullName == className || t.Name == className) return t;
        throw new StrategyCompilationException(path,
            $"{path}: class '{className}' not found or not a public Strategy subclass; found: {(candidates.Count == 0 ? "none" : string.Join(", ", candidates.Select(c => c.FullName)))}");
    }
}

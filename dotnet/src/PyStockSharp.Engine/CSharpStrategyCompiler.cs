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
        if (!typeof(Strategy).IsAssignableFrom(type) || type.IsAbstract) throw new ArgumentException($"{type.FullName} is not a concrete Strategy");
        if (type.GetConstructor(Type.EmptyTypes) == null) throw new ArgumentException($"{type.FullName} has no public parameterless constructor");
        // a compiled `new T()`: the constructor's own exception surfaces (no TargetInvocationException wrapper)
        var ctor = System.Linq.Expressions.Expression.New(type);
        return System.Linq.Expressions.Expression.Lambda<Func<Strategy>>(System.Linq.Expressions.Expression.Convert(ctor, typeof(Strategy))).Compile();
    }

    /// <summary>The cache key: sha256 of the source text, the engine version and the engine build id.</summary>
    public static string CacheKey(string source)
    {
        var engine = typeof(Strategy).Assembly.ManifestModule.ModuleVersionId.ToString("N");
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
            if (File.Exists(dll)) return Assembly.LoadFrom(dll);
            var bytes = Compile(fullPath, source, $"UserStrategy_{key[..16]}");
            var tmp = dll + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, dll, overwrite: true);
            return Assembly.LoadFrom(dll);
        }
    }

    /// <summary>Compiles <paramref name="source"/> to a dll image; StrategyCompilationException on errors.</summary>
    public static byte[] Compile(string path, string source, string assemblyName)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: path, encoding: Encoding.UTF8);
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
            nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: false, deterministic: true);
        var usings = CSharpSyntaxTree.ParseText(GlobalUsings, new CSharpParseOptions(LanguageVersion.Latest), path: "<global-usings>", encoding: Encoding.UTF8);
        var comp = CSharpCompilation.Create(assemblyName, new[] { tree, usings }, References(), options);
        using var ms = new MemoryStream();
        var emit = comp.Emit(ms);
        if (!emit.Success)
        {
            var errors = new List<string>();
            foreach (var d in emit.Diagnostics)
            {
                if (d.Severity != DiagnosticSeverity.Error) continue;
                var span = d.Location.GetMappedLineSpan();
                var file = span.IsValid && !string.IsNullOrEmpty(span.Path) ? span.Path : path;
                int line = span.IsValid ? span.StartLinePosition.Line + 1 : 0, col = span.IsValid ? span.StartLinePosition.Character + 1 : 0;
                errors.Add($"{file}:{line}:{col}: error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
            }
            throw new StrategyCompilationException(path, errors);
        }
        return ms.ToArray();
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
            if (typeof(Strategy).IsAssignableFrom(t) && !t.IsAbstract && t.IsPublic) candidates.Add(t);
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

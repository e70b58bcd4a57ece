// pythonnet codecs of pystocksharp, compiled at run time against the loaded Python.Runtime (see bridge.py).
//
// StockSharp's API is decimal; StockSharp's own Python host lets strategies mix those decimals with Python
// numbers (float(x), x > 1.5, Volume + 1). Here System.Decimal values reach Python as float, and Python
// int/float arguments are accepted where .NET wants a decimal (or a nullable decimal).
using System;
using Python.Runtime;

namespace PyStockSharp.Python
{
    public sealed class DecimalCodec : IPyObjectEncoder, IPyObjectDecoder
    {
        public static readonly DecimalCodec Instance = new();
        private static bool _registered;

        /// <summary>Registers the codec once per process.</summary>
        public static void Register()
        {
            if (_registered) return;
            _registered = true;
            PyObjectConversions.RegisterEncoder(Instance);
            PyObjectConversions.RegisterDecoder(Instance);
        }

        public bool CanEncode(Type type) => type == typeof(decimal);

        public PyObject TryEncode(object value) => new PyFloat((double)(decimal)value);

        public bool CanDecode(PyType objectType, Type targetType)
            => (targetType == typeof(decimal) || targetType == typeof(decimal?) || targetType == typeof(object) && false)
               && (objectType.Name == "float" || objectType.Name == "int");

        public bool TryDecode<T>(PyObject pyObj, out T value)
        {
            value = default!;
            using (Py.GIL())
            {
                decimal d;
                if (PyInt.IsIntType(pyObj)) d = new decimal(pyObj.As<long>());
                else
                {
                    var x = pyObj.As<double>();
                    if (double.IsNaN(x) || double.IsInfinity(x)) return false;
                    d = (decimal)x;
                }
                value = (T)(object)d;
                return true;
            }
        }
    }
}

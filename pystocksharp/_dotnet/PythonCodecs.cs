// pythonnet codecs of pystocksharp, compiled at run time against the loaded Python.Runtime (see bridge.py).
//
// StockSharp's API is decimal; StockSharp's own Python host lets strategies mix those decimals with Python
// numbers (float(x), x > 1.5, Volume + 1). Here System.Decimal values reach Python as pystocksharp.netdecimal.
// NetDecimal (an exact decimal.Decimal that also mixes with floats), and Python NetDecimal/Decimal/int/float
// arguments are accepted where .NET wants a decimal (or a nullable decimal).
using System;
using Python.Runtime;

namespace PyStockSharp.Python
{
    public sealed class DecimalCodec : IPyObjectEncoder, IPyObjectDecoder
    {
        public static readonly DecimalCodec Instance = new();
        private static bool _registered;
        private static PyObject _netDecimal = null!;
        private static PyObject _netEnum = null!;

        /// <summary>Registers the codec once per process; the arguments are the Python classes NetDecimal and NetEnum.</summary>
        public static void Register(PyObject netDecimal, PyObject netEnum)
        {
            if (_registered) return;
            _registered = true;
            _netDecimal = netDecimal;
            _netEnum = netEnum;
            PyObjectConversions.RegisterEncoder(Instance);
            PyObjectConversions.RegisterDecoder(Instance);
        }

        public bool CanEncode(Type type)
            => type == typeof(decimal) || type == typeof(decimal?)
               || (type.IsInterface || type.IsEnum) && (type.Namespace?.StartsWith("StockSharp.", StringComparison.Ordinal) ?? false);

        /// <summary>
        /// Decimals as float; values typed as one of the StockSharp layer's interfaces (IIndicatorValue …) as their own
        /// public class, so that Python sees all their members (BollingerBandsValue.UpBand), as StockSharp's host does.
        /// </summary>
        public PyObject TryEncode(object value)
        {
            if (value is decimal d)
                using (var text = new PyString(d.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    return _netDecimal.Invoke(text);
            if (value is Enum e)
                using (var v = new PyInt(Convert.ToInt64(e)))
                using (var name = new PyString(e.ToString()))
                using (var type = new PyString(e.GetType().Name))
                    return _netEnum.Invoke(v, name, type);
            if (value is not null && value.GetType().IsPublic) return PyObject.FromManagedObject(value);
            return null!;
        }

        public bool CanDecode(PyType objectType, Type targetType)
            => (targetType == typeof(decimal) || targetType == typeof(decimal?))
                   && objectType.Name is "float" or "int" or "NetDecimal" or "Decimal" or "NetFloat"
               || objectType.Name == "NetEnum" && targetType.IsEnum
               || objectType.Name == "_Candle"
                   && targetType.FullName is "StockSharp.Messages.ICandleMessage" or "StockSharp.Messages.CandleMessage" or "StockSharp.Messages.TimeFrameCandleMessage";

        public bool TryDecode<T>(PyObject pyObj, out T value)
        {
            value = default!;
            using (Py.GIL())
            {
                if (pyObj.GetPythonType().Name == "NetEnum")
                {
                    var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
                    value = (T)Enum.ToObject(target, pyObj.As<long>());
                    return true;
                }
                if (pyObj.GetPythonType().Name == "_Candle")
                {
                    // a fast-path candle of pystocksharp.stocksharp handed to a .NET method: its .NET form
                    using var net = pyObj.InvokeMethod("_psx_net");
                    value = (T)net.AsManagedObject(typeof(T));
                    return true;
                }
                decimal d;
                var typeName = pyObj.GetPythonType().Name;
                if (PyInt.IsIntType(pyObj)) d = new decimal(pyObj.As<long>());
                else if (typeName is "NetDecimal" or "Decimal" or "NetFloat")   // NetFloat: str() is its exact decimal
                {
                    if (!decimal.TryParse(pyObj.ToString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out d)) return false;
                }
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

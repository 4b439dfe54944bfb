using System.Buffers.Binary;
using System.Text;

namespace TrafficMonitor.Usage.VnStat;

/// <summary>
/// Reads every row of one small table straight from an SQLite 3 file (the documented file format: header, table
/// b-trees, records), read-only and without a library: vnStat's <c>interface</c> table is a handful of rows, and
/// neither the sqlite3 program nor a native SQLite binding can be assumed on a user's machine (nor kept Native-AOT friendly).
/// A file being rewritten while it is read is detected by SQLite's change counter and read again.
/// </summary>
public static class SqliteTableReader
{
    private const int HeaderSize = 100;

    public static IReadOnlyList<Dictionary<string, object?>> ReadTable(string path, string table)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);
            var reader = new PageReader(file);
            var changeCounter = reader.ChangeCounter();
            var rows = reader.ReadTable(table);
            if (reader.ChangeCounter() == changeCounter)
            {
                return rows;
            }

            if (attempt == 2)
            {
                throw new InvalidDataException("the database kept changing while it was read");
            }
        }
    }

    private sealed class PageReader
    {
        private readonly FileStream _file;
        private readonly int _pageSize;
        private readonly int _usable;

        public PageReader(FileStream file)
        {
            _file = file;
            var header = Read(0, HeaderSize);
            if (!header.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8))
            {
                throw new InvalidDataException("not an SQLite 3 database");
            }

            var size = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16));
            _pageSize = size == 1 ? 65536 : size;
            _usable = _pageSize - header[20];
            if (BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(56)) is not (0 or 1))
            {
                throw new InvalidDataException("the database's text is not UTF-8");
            }
        }

        public uint ChangeCounter() => BinaryPrimitives.ReadUInt32BigEndian(Read(24, 4));

        public List<Dictionary<string, object?>> ReadTable(string table)
        {
            var master = new List<(long RowId, object?[] Values)>();
            Walk(1, master, 0);
            foreach (var (_, values) in master)
            {
                if (values is ["table", string name, _, long root, string sql, ..] && string.Equals(name, table, StringComparison.OrdinalIgnoreCase))
                {
                    var columns = Columns(sql);
                    var rows = new List<(long RowId, object?[] Values)>();
                    Walk((uint)root, rows, 0);
                    return rows.Select(row => Row(columns, row)).ToList();
                }
            }

            throw new InvalidDataException($"no table '{table}'");
        }

        private static Dictionary<string, object?> Row(List<(string Name, bool IsRowId)> columns, (long RowId, object?[] Values) row)
        {
            var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < columns.Count; i++)
            {
                // An INTEGER PRIMARY KEY column is the rowid; the record holds NULL in its place.
                result[columns[i].Name] = columns[i].IsRowId ? row.RowId : i < row.Values.Length ? row.Values[i] : null;
            }

            return result;
        }

        /// <summary>Column names from "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, …)".</summary>
        private static List<(string Name, bool IsRowId)> Columns(string sql)
        {
            var body = sql[(sql.IndexOf('(', StringComparison.Ordinal) + 1)..sql.LastIndexOf(')')];
            var columns = new List<(string, bool)>();
            var depth = 0;
            var start = 0;
            for (var i = 0; i <= body.Length; i++)
            {
                if (i < body.Length && body[i] == '(')
                {
                    depth++;
                }
                else if (i < body.Length && body[i] == ')')
                {
                    depth--;
                }
                else if (i == body.Length || (body[i] == ',' && depth == 0))
                {
                    var definition = body[start..i].Trim();
                    start = i + 1;
                    var words = definition.Split((char[])[' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
                    if (words.Length == 0 || words[0].ToUpperInvariant() is "PRIMARY" or "UNIQUE" or "CHECK" or "FOREIGN" or "CONSTRAINT")
                    {
                        continue;
                    }

                    var upper = definition.ToUpperInvariant();
                    var isRowId = words.Length > 1 && words[1].Equals("INTEGER", StringComparison.OrdinalIgnoreCase) && upper.Contains("PRIMARY KEY", StringComparison.Ordinal);
                    columns.Add((words[0].Trim('"', '`', '[', ']'), isRowId));
                }
            }

            return columns;
        }

        private void Walk(uint pageNumber, List<(long RowId, object?[] Values)> rows, int depth)
        {
            if (depth > 20 || pageNumber == 0)
            {
                throw new InvalidDataException("a damaged b-tree");
            }

            var page = Read((long)(pageNumber - 1) * _pageSize, _pageSize);
            var offset = pageNumber == 1 ? HeaderSize : 0;
            var type = page[offset];
            var cells = BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(offset + 3));
            var headerSize = type == 0x05 ? 12 : 8;
            for (var i = 0; i < cells; i++)
            {
                int cell = BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(offset + headerSize + (2 * i)));
                switch (type)
                {
                    case 0x05:
                        Walk(BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(cell)), rows, depth + 1);
                        break;
                    case 0x0D:
                        var payloadSize = Varint(page, ref cell);
                        var rowId = Varint(page, ref cell);
                        rows.Add((rowId, Record(Payload(page, cell, payloadSize))));
                        break;
                    default:
                        throw new InvalidDataException($"page {pageNumber} is not a table b-tree page");
                }
            }

            if (type == 0x05)
            {
                Walk(BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(offset + 8)), rows, depth + 1);
            }
        }

        private byte[] Payload(byte[] page, int start, long size)
        {
            var maxLocal = _usable - 35;
            if (size <= maxLocal)
            {
                return page.AsSpan(start, (int)size).ToArray();
            }

            var minLocal = ((_usable - 12) * 32 / 255) - 23;
            var local = minLocal + (int)((size - minLocal) % (_usable - 4));
            if (local > maxLocal)
            {
                local = minLocal;
            }

            var payload = new byte[size];
            page.AsSpan(start, local).CopyTo(payload);
            var filled = local;
            var next = BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(start + local));
            while (filled < size && next != 0)
            {
                var overflow = Read((long)(next - 1) * _pageSize, _pageSize);
                var chunk = (int)Math.Min(_usable - 4, size - filled);
                overflow.AsSpan(4, chunk).CopyTo(payload.AsSpan(filled));
                filled += chunk;
                next = BinaryPrimitives.ReadUInt32BigEndian(overflow);
            }

            return filled == size ? payload : throw new InvalidDataException("a record's overflow chain ends early");
        }

        private static object?[] Record(byte[] payload)
        {
            var position = 0;
            var headerEnd = (int)Varint(payload, ref position);
            var types = new List<long>();
            while (position < headerEnd)
            {
                types.Add(Varint(payload, ref position));
            }

            var values = new object?[types.Count];
            position = headerEnd;
            for (var i = 0; i < types.Count; i++)
            {
                var type = types[i];
                switch (type)
                {
                    case 0:
                        values[i] = null;
                        break;
                    case >= 1 and <= 6:
                        var length = type switch { 5 => 6, 6 => 8, _ => (int)type == 4 ? 4 : (int)type };
                        long value = (sbyte)payload[position];
                        for (var b = 1; b < length; b++)
                        {
                            value = (value << 8) | payload[position + b];
                        }

                        values[i] = value;
                        position += length;
                        break;
                    case 7:
                        values[i] = BinaryPrimitives.ReadDoubleBigEndian(payload.AsSpan(position));
                        position += 8;
                        break;
                    case 8 or 9:
                        values[i] = type - 8;
                        break;
                    case >= 12 when type % 2 == 0:
                        var blob = (int)((type - 12) / 2);
                        values[i] = payload.AsSpan(position, blob).ToArray();
                        position += blob;
                        break;
                    case >= 13:
                        var text = (int)((type - 13) / 2);
                        values[i] = Encoding.UTF8.GetString(payload, position, text);
                        position += text;
                        break;
                    default:
                        throw new InvalidDataException($"unknown serial type {type}");
                }
            }

            return values;
        }

        private static long Varint(byte[] data, ref int position)
        {
            long value = 0;
            for (var i = 0; i < 9; i++)
            {
                var b = data[position++];
                if (i == 8)
                {
                    return (value << 8) | b;
                }

                value = (value << 7) | (long)(b & 0x7F);
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            return value;
        }

        private byte[] Read(long offset, int count)
        {
            var buffer = new byte[count];
            _file.Position = offset;
            _file.ReadExactly(buffer);
            return buffer;
        }
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace VolumeDriver.Tests.Architecture;

/// <summary>
/// Finds the awaits in C# source that have no time limit of their own. An await is limited when what
/// it awaits (past a ConfigureAwait and parentheses) is:
/// <list type="bullet">
/// <item><c>….WithTimeout(…)</c> (TestSupport's TaskTimeoutExtensions);</item>
/// <item><c>….WaitAsync(TimeSpan.From…(…), …)</c>, the framework's own time limit;</item>
/// <item><c>Task.Delay(…)</c> of a finite time, which ends by itself;</item>
/// <item><c>Task.Yield()</c>, which cannot wait.</item>
/// </list>
/// <c>await using</c> (a disposal) and <c>await foreach</c> are statements, not await expressions, and
/// are not held to this. The check reads syntax only: what a call returns is not known, so the limit
/// has to be visible at the await.
/// </summary>
internal static class AwaitTimeLimits
{
    /// <summary>The awaits in <paramref name="source"/> without a time limit: their 1-based line and their text.</summary>
    public static IReadOnlyList<(int Line, string Await)> Unlimited(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source);
        return tree.GetRoot().DescendantNodes().OfType<AwaitExpressionSyntax>()
            .Where(a => !IsLimited(a.Expression))
            .Select(a => (tree.GetLineSpan(a.Span).StartLinePosition.Line + 1, a.ToString()))
            .ToList();
    }

    /// <summary>Where a <c>.WithTimeout()</c> goes to limit the await of <paramref name="awaited"/>: the position, and whether the expression needs parentheses first.</summary>
    public static (int Start, int End, bool Parenthesize) InsertionPoint(ExpressionSyntax awaited)
    {
        var core = Unwrapped(awaited, stripParentheses: false);
        var simple = core is InvocationExpressionSyntax or IdentifierNameSyntax or MemberAccessExpressionSyntax or ElementAccessExpressionSyntax or ParenthesizedExpressionSyntax;
        return (core.SpanStart, core.Span.End, !simple);
    }

    public static bool IsLimited(ExpressionSyntax awaited)
    {
        var core = Unwrapped(awaited, stripParentheses: true);
        if (core is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } call)
        {
            return false;
        }

        var arguments = call.ArgumentList.Arguments;
        return member.Name.Identifier.Text switch
        {
            "WithTimeout" => true,
            "WaitAsync" => arguments.Count > 0 && arguments[0].Expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "TimeSpan" } } },
            "Delay" => IsTask(member.Expression) && arguments.Count > 0 && !IsInfinite(arguments[0].Expression),
            "Yield" => IsTask(member.Expression),
            _ => false,
        };
    }

    private static ExpressionSyntax Unwrapped(ExpressionSyntax expression, bool stripParentheses)
    {
        while (true)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized when stripParentheses:
                    expression = parenthesized.Expression;
                    break;
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.Text: "ConfigureAwait" } configure }:
                    expression = configure.Expression;
                    break;
                default:
                    return expression;
            }
        }
    }

    private static bool IsTask(ExpressionSyntax expression) => expression is IdentifierNameSyntax { Identifier.Text: "Task" };

    private static bool IsInfinite(ExpressionSyntax expression) =>
        expression.ToString() is "Timeout.InfiniteTimeSpan" or "Timeout.Infinite" or "-1" or "System.Threading.Timeout.InfiniteTimeSpan";
}

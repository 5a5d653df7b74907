namespace Conversations.Routing.Tests.Caching;

public sealed class AnswerCacheKeyTests
{
    private const string Question = "What is the bonus policy?";

    [Fact]
    public void Keys_differ_across_read_scopes()
    {
        // Proves a user who may read one more (or one fewer) label never hits another scope's answer.
        var staff = AnswerScope.Create("t1", ["public", "staff"], 7);
        var manager = AnswerScope.Create("t1", ["public", "staff", "managers"], 7);
        Assert.NotEqual(AnswerCacheKey.ForQuestion(staff, Question), AnswerCacheKey.ForQuestion(manager, Question));
        Assert.NotEqual(AnswerCacheKey.ForScope(staff), AnswerCacheKey.ForScope(manager));
    }

    [Fact]
    public void Identical_read_scopes_share_keys_whatever_the_label_order()
    {
        // Proves two users with the same readable labels share entries (the point of keying on the set).
        var a = AnswerScope.Create("t1", ["staff", "public", "staff"], 7);
        var b = AnswerScope.Create("t1", ["public", "staff"], 7);
        Assert.Equal(AnswerCacheKey.ForQuestion(a, Question), AnswerCacheKey.ForQuestion(b, "what is the BONUS policy"));
    }

    [Fact]
    public void Tenant_knowledge_base_version_and_private_context_change_the_key()
    {
        // Proves a new knowledge-base version, another tenant or a user-private answer never reuse a shared entry.
        var scope = AnswerScope.Create("t1", ["public"], 7);
        var key = AnswerCacheKey.ForQuestion(scope, Question);
        Assert.NotEqual(key, AnswerCacheKey.ForQuestion(scope with { KnowledgeBaseVersion = 8 }, Question));
        Assert.NotEqual(key, AnswerCacheKey.ForQuestion(AnswerScope.Create("t2", ["public"], 7), Question));
        Assert.NotEqual(key, AnswerCacheKey.ForQuestion(scope.PrivateTo("u1"), Question));
        Assert.NotEqual(AnswerCacheKey.ForQuestion(scope.PrivateTo("u1"), Question), AnswerCacheKey.ForQuestion(scope.PrivateTo("u2"), Question));
    }

    [Fact]
    public void Label_boundaries_cannot_be_forged()
    {
        // Proves {"a,b"} and {"a","b"} (or a label containing a newline) hash to different scopes.
        Assert.NotEqual(AnswerScope.HashReadScope(["a,b"]), AnswerScope.HashReadScope(["a", "b"]));
        Assert.NotEqual(AnswerScope.HashReadScope(["a\n1:b"]), AnswerScope.HashReadScope(["a", "b"]));
    }

    [Fact]
    public void Keys_are_sha256_hex()
    {
        // Proves the key format other components store: 64 lowercase hex characters.
        var key = AnswerCacheKey.ForQuestion(AnswerScope.Create("t1", [], 0), Question);
        Assert.Matches("^[0-9a-f]{64}$", key);
    }

    [Fact(DisplayName = "Semantic partitions differ when the questions' identifiers differ, and private keys move with the memory epoch")]
    public void Identifiers_and_epochs_split_keys()
    {
        var scope = AnswerScope.Create("t1", ["public"], 3);
        Assert.NotEqual(AnswerCacheKey.ForSimilarQuestions(scope, "Leave balance of employee 4711?"),
            AnswerCacheKey.ForSimilarQuestions(scope, "Leave balance of employee 4712?"));
        Assert.Equal(AnswerCacheKey.ForSimilarQuestions(scope, "What is the leave policy?"),
            AnswerCacheKey.ForSimilarQuestions(scope, "Tell me about the leave policy"));
        Assert.NotEqual(AnswerCacheKey.ForQuestion(scope.PrivateTo("u1", 0), "q"), AnswerCacheKey.ForQuestion(scope.PrivateTo("u1", 1), "q"));
        Assert.NotEqual(AnswerCacheKey.ForSimilarQuestions(scope.PrivateTo("u1", 0), "q"), AnswerCacheKey.ForSimilarQuestions(scope.PrivateTo("u1", 1), "q"));
    }

    [Theory(DisplayName = "Semantic partitions differ when a negation, an opposite or a comparison sign turns the question around, and stay one for rephrasings")]
    [InlineData("Is remote work allowed on Fridays?", "Is remote work not allowed on Fridays?", false)]
    [InlineData("Is remote work allowed on Fridays?", "Isn't remote work allowed on Fridays?", false)]
    [InlineData("Is 5 > 3 in the plan?", "Is 5 < 3 in the plan?", false)]
    [InlineData("What happens if the launch is before March?", "What happens if the launch is after March?", false)]
    [InlineData("Can I carry over more than 5 days?", "Can I carry over less than 5 days?", false)]
    [InlineData("年假可以提前休吗", "年假可以推迟休吗", false)]
    [InlineData("远程办公允许吗", "远程办公不允许吗", false)]
    [InlineData("What is -5 plus 3?", "What is 5 plus 3?", false)]
    [InlineData("Is remote work allowed on Fridays?", "Are we allowed to work remotely on Fridays", true)]
    [InlineData("What is the e-mail policy?", "Tell me the e-mail policy", true)]
    [InlineData("年假有多少天", "年假一共有几天", true)]
    public void Meaning_markers_split_semantic_keys(string a, string b, bool same)
    {
        var scope = AnswerScope.Create("t1", ["public"], 3);
        Assert.Equal(same, AnswerCacheKey.ForSimilarQuestions(scope, a) == AnswerCacheKey.ForSimilarQuestions(scope, b));
    }

    [Fact(DisplayName = "Semantic partitions differ by embedding model, so vectors of two models of one length are never compared")]
    public void Embedding_models_split_semantic_keys()
    {
        var scope = AnswerScope.Create("t1", ["public"], 3);
        const string question = "What is the leave policy?";
        Assert.NotEqual(AnswerCacheKey.ForSimilarQuestions(scope, question, "all-MiniLM-L6-v2"),
            AnswerCacheKey.ForSimilarQuestions(scope, question, "all-MiniLM-L6-v2-int8"));
        Assert.Equal(AnswerCacheKey.ForSimilarQuestions(scope, question, "all-MiniLM-L6-v2"),
            AnswerCacheKey.ForSimilarQuestions(scope, "Tell me about the leave policy", "all-MiniLM-L6-v2"));
    }
}

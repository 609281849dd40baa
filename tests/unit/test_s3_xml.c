#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "s3_xml.h"
#include "xmalloc.h"

/* Collects entries as "kind|key|size|etag|mtime|upload_id|code|message". */
struct seen {
	struct buf	out;
	int		n;
	int		stop_after;	/* 0: never */
};

static int
record(void *arg, const struct s3_item *it)
{
	struct seen	*s = arg;

	buf_printf(&s->out, "%d|%s|%llu|%s|%lld|%s|%s|%s\n", (int)it->kind,
	    it->key, (unsigned long long)it->size, it->etag,
	    (long long)it->mtime_ms, it->upload_id, it->code, it->message);
	s->n++;
	return s->stop_after != 0 && s->n >= s->stop_after;
}

/* A ListObjectsV2 page as radosgw 16.2 sends it (recorded, one line). */
static const char list_page[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>chops-test</Name><Prefix>dir/</Prefix><MaxKeys>3</MaxKeys>"
    "<Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
    "<Contents><Key>dir/a b&amp;c.txt</Key>"
    "<LastModified>2024-03-01T10:20:30.123Z</LastModified>"
    "<ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag>"
    "<Size>5</Size><StorageClass>STANDARD</StorageClass>"
    "<Owner><ID>chops</ID><DisplayName>chops</DisplayName></Owner>"
    "<Type>Normal</Type></Contents>"
    "<Contents><Key>dir/big</Key>"
    "<LastModified>2024-03-01T10:20:31.000Z</LastModified>"
    "<ETag>\"0123-3\"</ETag><Size>18350080</Size>"
    "<StorageClass>STANDARD</StorageClass></Contents>"
    "<CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes>"
    "<KeyCount>3</KeyCount>"
    "<NextContinuationToken>1ab+/cd==</NextContinuationToken>"
    "</ListBucketResult>";

static const char list_expect[] =
    "0|dir/a b&c.txt|5|5d41402abc4b2a76b9719d911017c592|1709288430123|||\n"
    "0|dir/big|18350080|0123-3|1709288431000|||\n"
    "1|dir/sub/|0||-1|||\n";

static void
check_list_page(struct s3_xml *x, struct seen *s)
{
	const struct s3_xml_result	*r;

	assert_null(s3_xml_error(x));
	assert_string_equal(buf_str(&s->out), list_expect);
	r = s3_xml_result(x);
	assert_false(r->is_error);
	assert_true(r->truncated);
	assert_string_equal(r->next_token, "1ab+/cd==");
	assert_int_equal(r->key_count, 3);
	assert_int_equal(r->n_items, 3);
}

static void
test_list_page(void **state)
{
	struct seen	 s = { BUF_INIT, 0, 0 };
	struct s3_xml	*x;

	x = s3_xml_parse(S3_XML_LIST_OBJECTS, list_page, strlen(list_page),
	    record, &s);
	check_list_page(x, &s);
	s3_xml_free(x);
	buf_free(&s.out);
}

/* The same page arriving one byte at a time gives the same entries. */
static void
test_list_bytewise(void **state)
{
	struct seen	 s = { BUF_INIT, 0, 0 };
	struct s3_xml	*x;
	size_t		 i;

	x = s3_xml_new(S3_XML_LIST_OBJECTS, record, &s);
	for (i = 0; i < strlen(list_page); i++)
		assert_int_equal(s3_xml_feed(x, list_page + i, 1), 0);
	assert_int_equal(s3_xml_finish(x), 0);
	check_list_page(x, &s);
	s3_xml_free(x);
	buf_free(&s.out);
}

/* Entries reach the callback before the document ends. */
static void
test_list_streams(void **state)
{
	struct seen	 s = { BUF_INIT, 0, 0 };
	struct s3_xml	*x;
	char		 entry[128];
	int		 i, n;

	x = s3_xml_new(S3_XML_LIST_OBJECTS, record, &s);
	assert_int_equal(s3_xml_feed(x, "<ListBucketResult>", 18), 0);
	for (i = 0; i < 20000; i++) {
		n = snprintf(entry, sizeof entry, "<Contents><Key>k%06d</Key>"
		    "<Size>%d</Size></Contents>", i, i);
		assert_int_equal(s3_xml_feed(x, entry, (size_t)n), 0);
		assert_int_equal(s.n, i + 1);
		buf_reset(&s.out);
	}
	assert_int_equal(s3_xml_feed(x, "<IsTruncated>false</IsTruncated>"
	    "</ListBucketResult>", 51), 0);
	assert_int_equal(s3_xml_finish(x), 0);
	assert_false(s3_xml_result(x)->truncated);
	assert_int_equal(s3_xml_result(x)->key_count, -1);
	s3_xml_free(x);
	buf_free(&s.out);
}

static void
test_list_stop(void **state)
{
	struct seen	 s = { BUF_INIT, 0, 2 };
	struct s3_xml	*x;

	x = s3_xml_new(S3_XML_LIST_OBJECTS, record, &s);
	assert_int_equal(s3_xml_feed(x, list_page, strlen(list_page)), 1);
	assert_int_equal(s3_xml_feed(x, "more", 4), 1);
	assert_int_equal(s3_xml_finish(x), 1);
	assert_null(s3_xml_error(x));
	assert_int_equal(s.n, 2);
	s3_xml_free(x);
	buf_free(&s.out);
}

static void
test_error_doc(void **state)
{
	static const char	 body[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Error><Code>SignatureDoesNotMatch</Code>"
	    "<Message>The request signature we calculated does not match "
	    "&amp; &lt;so&gt; on</Message><BucketName>b</BucketName>"
	    "<RequestId>tx0000-abc</RequestId><HostId>h</HostId>"
	    "<Resource>/b/k</Resource></Error>";
	struct s3_xml		*x;
	const struct s3_xml_result *r;

	x = s3_xml_parse(S3_XML_ERROR, body, strlen(body), NULL, NULL);
	assert_null(s3_xml_error(x));
	r = s3_xml_result(x);
	assert_true(r->is_error);
	assert_string_equal(r->code, "SignatureDoesNotMatch");
	assert_string_equal(r->message, "The request signature we calculated "
	    "does not match & <so> on");
	assert_string_equal(r->request_id, "tx0000-abc");
	assert_string_equal(r->resource, "/b/k");
	s3_xml_free(x);

	/* any parser accepts an Error document instead of its own */
	x = s3_xml_parse(S3_XML_COMPLETE, body, strlen(body), NULL, NULL);
	assert_null(s3_xml_error(x));
	assert_true(s3_xml_result(x)->is_error);
	assert_string_equal(s3_xml_result(x)->code, "SignatureDoesNotMatch");
	s3_xml_free(x);
}

static void
test_multipart_docs(void **state)
{
	static const char	 init[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/"
	    "doc/2006-03-01/\"><Bucket>b</Bucket><Key>dir/x</Key>"
	    "<UploadId>2~Yq8GdCw-ABC</UploadId>"
	    "</InitiateMultipartUploadResult>";
	static const char	 complete[] =
	    "<CompleteMultipartUploadResult><Location>http://h/b/dir/x"
	    "</Location><Bucket>b</Bucket><Key>dir/x</Key><ETag></ETag>"
	    "</CompleteMultipartUploadResult>";
	struct s3_xml		*x;

	x = s3_xml_parse(S3_XML_INITIATE, init, strlen(init), NULL, NULL);
	assert_null(s3_xml_error(x));
	assert_string_equal(s3_xml_result(x)->upload_id, "2~Yq8GdCw-ABC");
	assert_string_equal(s3_xml_result(x)->key, "dir/x");
	s3_xml_free(x);
	x = s3_xml_parse(S3_XML_COMPLETE, complete, strlen(complete), NULL,
	    NULL);
	assert_null(s3_xml_error(x));
	assert_false(s3_xml_result(x)->is_error);
	assert_string_equal(s3_xml_result(x)->etag, "");
	assert_string_equal(s3_xml_result(x)->location, "http://h/b/dir/x");
	s3_xml_free(x);
}

static void
test_list_uploads(void **state)
{
	static const char	 body[] =
	    "<ListMultipartUploadsResult><Bucket>b</Bucket>"
	    "<NextKeyMarker>k2</NextKeyMarker>"
	    "<NextUploadIdMarker>u2</NextUploadIdMarker>"
	    "<IsTruncated>false</IsTruncated>"
	    "<Upload><Key>k1</Key><UploadId>u1</UploadId>"
	    "<Initiator><ID>x</ID></Initiator>"
	    "<Initiated>2024-01-02T03:04:05.000Z</Initiated></Upload>"
	    "<Upload><Key>k2</Key><UploadId>u2</UploadId></Upload>"
	    "</ListMultipartUploadsResult>";
	struct seen		 s = { BUF_INIT, 0, 0 };
	struct s3_xml		*x;

	x = s3_xml_parse(S3_XML_LIST_UPLOADS, body, strlen(body), record, &s);
	assert_null(s3_xml_error(x));
	assert_string_equal(buf_str(&s.out),
	    "2|k1|0||1704164645000|u1||\n"
	    "2|k2|0||-1|u2||\n");
	assert_false(s3_xml_result(x)->truncated);
	assert_string_equal(s3_xml_result(x)->next_key_marker, "k2");
	assert_string_equal(s3_xml_result(x)->next_upload_id_marker, "u2");
	s3_xml_free(x);
	buf_free(&s.out);
}

static void
test_delete_result(void **state)
{
	static const char	 body[] =
	    "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<Deleted><Key>a</Key></Deleted>"
	    "<Error><Key>b&amp;c</Key><Code>AccessDenied</Code>"
	    "<Message>Access Denied</Message></Error>"
	    "<Deleted><Key>d</Key><VersionId>v</VersionId></Deleted>"
	    "</DeleteResult>";
	struct seen		 s = { BUF_INIT, 0, 0 };
	struct s3_xml		*x;

	x = s3_xml_parse(S3_XML_DELETE, body, strlen(body), record, &s);
	assert_null(s3_xml_error(x));
	assert_false(s3_xml_result(x)->is_error);
	assert_string_equal(buf_str(&s.out),
	    "3|a|0||-1|||\n"
	    "4|b&c|0||-1||AccessDenied|Access Denied\n"
	    "3|d|0||-1|||\n");
	s3_xml_free(x);
	buf_free(&s.out);
}

/* Parses body as a listing and returns its error (NULL when none). */
static char *
list_error(const char *body, size_t len)
{
	struct seen	 s = { BUF_INIT, 0, 0 };
	struct s3_xml	*x;
	char		*err;

	x = s3_xml_parse(S3_XML_LIST_OBJECTS, body, len, record, &s);
	err = s3_xml_error(x) != NULL ? xstrdup(s3_xml_error(x)) : NULL;
	s3_xml_free(x);
	buf_free(&s.out);
	return err;
}

static void
assert_list_error(const char *body, const char *want)
{
	char	*err = list_error(body, strlen(body));
	char	 copy[256];
	bool	 found;

	assert_non_null(err);
	found = strstr(err, want) != NULL;
	snprintf(copy, sizeof copy, "%s", err);
	free(err);
	if (!found)
		fail_msg("error '%s' does not contain '%s'", copy, want);
}

static void
test_malformed(void **state)
{
	assert_list_error("<ListBucketResult>\n<Contents>\n<Key>a</Size>",
	    "line 3, column 9: mismatched tag");
	assert_list_error("<ListBucketResult><Contents><Key>a</Ke",
	    "line 1, column");
	assert_list_error("<ListBucketResult><Contents><Key>a</Key>",
	    "no element found");
	assert_list_error("", "no element found");
	assert_list_error("not xml at all", "syntax error");
	assert_list_error("<ListBucketResult>&bogus;</ListBucketResult>",
	    "undefined entity");
	assert_list_error("<Foo><Contents/></Foo>",
	    "unexpected document <Foo>, expected <ListBucketResult>");
	assert_list_error("<ListBucketResult><Contents><Size>12x</Size>"
	    "<Key>k</Key></Contents></ListBucketResult>",
	    "Size '12x' is not a number");
	assert_list_error("<ListBucketResult><Contents><Size>1</Size>"
	    "</Contents></ListBucketResult>", "an entry without a key");
	assert_list_error("<ListBucketResult><IsTruncated>maybe"
	    "</IsTruncated></ListBucketResult>", "is not a boolean");
	assert_list_error("<ListBucketResult><a:x xmlns:b=\"u\"/>"
	    "</ListBucketResult>", "unbound prefix");
}

static void
test_hostile(void **state)
{
	struct buf	 b = BUF_INIT;
	char		*err;
	int		 i;

	/* a key far beyond S3's 1024 bytes */
	buf_addstr(&b, "<ListBucketResult><Contents><Key>");
	for (i = 0; i < S3_XML_TEXT_MAX + 10; i++)
		buf_addc(&b, 'k');
	buf_addstr(&b, "</Key></Contents></ListBucketResult>");
	err = list_error(b.data, b.len);
	assert_non_null(err);
	assert_non_null(strstr(err, "<Key> is longer than 65536 bytes"));
	free(err);

	/* billion laughs and external entities: no DOCTYPE at all */
	assert_list_error("<?xml version=\"1.0\"?><!DOCTYPE l ["
	    "<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
	    "<ListBucketResult><Contents><Key>&c;</Key></Contents>"
	    "</ListBucketResult>", "DOCTYPE is not allowed");
	assert_list_error("<!DOCTYPE l [<!ENTITY x SYSTEM "
	    "\"file:///etc/passwd\">]><ListBucketResult><Contents><Key>&x;"
	    "</Key></Contents></ListBucketResult>", "DOCTYPE is not allowed");

	/* nesting */
	buf_reset(&b);
	buf_addstr(&b, "<ListBucketResult>");
	for (i = 0; i < 100; i++)
		buf_addstr(&b, "<x>");
	err = list_error(b.data, b.len);
	assert_non_null(err);
	assert_non_null(strstr(err, "nested deeper than"));
	free(err);
	buf_free(&b);
}

/* Character references, CDATA, unknown elements and attributes. */
static void
test_text_forms(void **state)
{
	static const char	 body[] =
	    "<ListBucketResult><Unknown a=\"1\"><Key>no</Key></Unknown>"
	    "<Contents x=\"y\"><Key>a&#x263A;<![CDATA[<b>&]]>&#65;</Key>"
	    "<Size>0</Size><Extra><Key>inner</Key></Extra></Contents>"
	    "</ListBucketResult>";
	struct seen		 s = { BUF_INIT, 0, 0 };
	struct s3_xml		*x;

	x = s3_xml_parse(S3_XML_LIST_OBJECTS, body, strlen(body), record, &s);
	assert_null(s3_xml_error(x));
	assert_string_equal(buf_str(&s.out),
	    "0|a\xe2\x98\xba<b>&A|0||-1|||\n");
	s3_xml_free(x);
	buf_free(&s.out);
}

static void
test_parse_time(void **state)
{
	assert_int_equal(s3_xml_parse_time("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(s3_xml_parse_time("2009-10-12T17:50:30.000Z"),
	    1255369830000LL);
	assert_int_equal(s3_xml_parse_time("2009-10-12T17:50:30.5Z"),
	    1255369830500LL);
	assert_int_equal(s3_xml_parse_time("2009-10-12T17:50:30+00:00"),
	    1255369830000LL);
	assert_int_equal(s3_xml_parse_time("2009-10-12 17:50:30Z"), -1);
	assert_int_equal(s3_xml_parse_time("2009-13-12T17:50:30Z"), -1);
	assert_int_equal(s3_xml_parse_time(""), -1);
	assert_int_equal(s3_xml_parse_time("2009-10-12T17:50:30.000"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_page),
		cmocka_unit_test(test_list_bytewise),
		cmocka_unit_test(test_list_streams),
		cmocka_unit_test(test_list_stop),
		cmocka_unit_test(test_error_doc),
		cmocka_unit_test(test_multipart_docs),
		cmocka_unit_test(test_list_uploads),
		cmocka_unit_test(test_delete_result),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_parse_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

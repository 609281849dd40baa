/*
 * Streaming parsers (expat) for the S3 XML responses chops reads. Documents
 * are fed in pieces as they arrive; repeated entries (objects, common
 * prefixes, uploads, per-key delete results) go to a callback as soon as
 * each one is complete, so memory does not grow with their number.
 *
 * Every parser also accepts an <Error> document (S3 may answer 200 with an
 * Error body, e.g. CompleteMultipartUpload). Hostile input is refused: no
 * DOCTYPE (hence no entity definitions, internal or external), bounded
 * nesting, text and document size.
 */
#ifndef CHOPS_S3_XML_H
#define CHOPS_S3_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text accepted in one element (S3 keys are at most 1024 bytes). */
#define S3_XML_TEXT_MAX		(64 * 1024)
/* Largest document accepted (a 1000-key page is about 1 MiB). */
#define S3_XML_DOC_MAX		(64 * 1024 * 1024)

enum s3_xml_doc {
	S3_XML_LIST_OBJECTS,	/* ListBucketResult (ListObjectsV2) */
	S3_XML_ERROR,		/* Error */
	S3_XML_INITIATE,	/* InitiateMultipartUploadResult */
	S3_XML_COMPLETE,	/* CompleteMultipartUploadResult */
	S3_XML_LIST_UPLOADS,	/* ListMultipartUploadsResult */
	S3_XML_DELETE,		/* DeleteResult */
};

enum s3_item_kind {
	S3_ITEM_OBJECT,		/* Contents */
	S3_ITEM_PREFIX,		/* CommonPrefixes/Prefix: only key is set */
	S3_ITEM_UPLOAD,		/* Upload: key, upload_id, last_modified */
	S3_ITEM_DELETED,	/* Deleted: key */
	S3_ITEM_DELETE_ERROR,	/* DeleteResult Error: key, code, message */
};

/* One entry; the strings are valid only during the callback. */
struct s3_item {
	enum s3_item_kind	 kind;
	const char		*key;
	uint64_t		 size;
	const char		*etag;		/* quotes removed */
	const char		*last_modified;	/* uploads: Initiated */
	int64_t			 mtime_ms;	/* parsed; -1 when unparsable */
	const char		*upload_id;
	const char		*code;
	const char		*message;
};

/* Returns 0 to go on, anything else to stop parsing (not an error). */
typedef int	(*s3_item_fn)(void *arg, const struct s3_item *);

/* Document-level fields; strings are "" when absent, owned by the parser. */
struct s3_xml_result {
	bool		 is_error;	/* the document was <Error> */
	const char	*code;		/* Error */
	const char	*message;
	const char	*request_id;
	const char	*resource;
	bool		 truncated;	/* IsTruncated */
	const char	*next_token;	/* NextContinuationToken */
	const char	*next_key_marker;	/* ListMultipartUploads */
	const char	*next_upload_id_marker;
	long		 key_count;	/* KeyCount; -1 when absent */
	const char	*upload_id;	/* Initiate */
	const char	*key;		/* Initiate, Complete */
	const char	*etag;		/* Complete (radosgw sends it empty) */
	const char	*location;	/* Complete */
	uint64_t	 n_items;	/* entries delivered to the callback */
};

struct s3_xml;

/* fn may be NULL for documents without entries. */
struct s3_xml	*s3_xml_new(enum s3_xml_doc, s3_item_fn, void *arg);
void		 s3_xml_free(struct s3_xml *);
/* 0: go on; 1: the callback stopped it; -1: error (s3_xml_error). */
int		 s3_xml_feed(struct s3_xml *, const void *, size_t);
/* Ends the document: -1 when it is malformed, truncated or not expected. */
int		 s3_xml_finish(struct s3_xml *);
/* "line 3, column 7: mismatched tag"; NULL when there was no error. */
const char	*s3_xml_error(const struct s3_xml *);
const struct s3_xml_result *s3_xml_result(struct s3_xml *);
/* Whether the callback stopped the parse. */
bool		 s3_xml_stopped(const struct s3_xml *);

/* Whole document at once; returns the parser (check s3_xml_error). */
struct s3_xml	*s3_xml_parse(enum s3_xml_doc, const void *, size_t,
		     s3_item_fn, void *arg);

/* "2009-10-12T17:50:30.000Z" to epoch milliseconds; -1 when malformed. */
int64_t		 s3_xml_parse_time(const char *);

#endif

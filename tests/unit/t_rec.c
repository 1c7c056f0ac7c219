/* t_rec.c -- the record encoding: round trips, versions, damage. */
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"
#include "tap.h"

int
main(void)
{
	struct fx_buf b = { 0 }, t = { 0 };
	struct fx_product p, q;
	struct fx_prop props[2] = { { "Бренд", "ЗУБР" }, { "Цвет", "" } };
	struct fx_entity e;
	struct fx_err err;
	size_t len;

	memset(&p, 0, sizeof(p));
	p.id = "p-1";
	p.article = "27087-10";
	p.name = "Ключ 10 мм";
	p.unit = "шт";
	p.unit_code = "796";
	p.group = "g";
	p.barcode = "";
	p.deleted = 1;
	p.gen = 123456;
	p.props = props;
	p.nprops = 2;
	p.pack = 6000;
	fx_rec_encode(&b, &fx_rt_product, &p);
	ok((unsigned char)b.p[0] == fx_rt_product.version, "version byte first");
	ok(fx_rec_decode(b.p, b.len, &fx_rt_product, &q, &err) == 0, "decodes");
	is_str(q.id, "p-1", "id");
	is_str(q.name, "Ключ 10 мм", "UTF-8 name");
	is_str(q.barcode, "", "empty string stays empty");
	is_int(q.deleted, 1, "bool");
	is_int(q.gen, 123456, "u32");
	is_int(q.nprops, 2, "props count");
	is_str(q.props[0].value, "ЗУБР", "prop value");
	fx_rec_text(&t, &fx_rt_product, &q);
	is_str(t.p, "0=\"p-1\" 1=\"27087-10\" 2=\"Ключ 10 мм\" 3=\"шт\" "
	    "4=\"796\" 5=\"g\" 6=\"\" 7=1 8=- 9=[\"Бренд\":\"ЗУБР\","
	    "\"Цвет\":\"\"] 10=6000", "text form");
	is_int(q.pack, 6000, "pack after the properties");
	fx_product_release(&q);
	ok(q.id == NULL && q.props == NULL, "release zeroes");

	/* The pack in place, past the properties, as the order check reads. */
	{
		int64_t v = -1;

		ok(fx_rec_i64_at(b.p, b.len, &fx_rt_product, 10, &v) == 0 &&
		    v == 6000, "i64 in place past a vector");
		/* A record from before the field: the pack is 0. */
		ok(fx_rec_i64_at(b.p, b.len - 2, &fx_rt_product, 10, &v) == 0 &&
		    v == 0, "i64 of an older record is 0");
		ok(fx_rec_i64_at(b.p, b.len, &fx_rt_product, 2, &v) == -1,
		    "a string field is no integer");
		ok(fx_rec_i64_at(b.p, 20, &fx_rt_product, 10, &v) == -1 ||
		    v == 0, "a cut record is never misread");
		b.p[0] = 9;
		ok(fx_rec_i64_at(b.p, b.len, &fx_rt_product, 10, &v) == -1,
		    "a newer version is refused");
		b.p[0] = 1;
	}
	/* Packed decodes, flat table (one pass) and with arrays (two). */
	{
		struct fx_product h;
		void *blk;

		memset(&h, 0, sizeof(h));
		ok(fx_rec_decode_packed(b.p, b.len, &fx_rt_product_head, &h,
		    &blk, &err) == 0 && strcmp(h.id, "p-1") == 0 &&
		    strcmp(h.name, "Ключ 10 мм") == 0 &&
		    strcmp(h.group, "g") == 0 && h.barcode[0] == '\0' &&
		    h.deleted == 1 && h.gen == 123456 && h.props == NULL,
		    "packed head decode");
		free(blk);
		memset(&h, 0, sizeof(h));
		ok(fx_rec_decode_packed(b.p, b.len, &fx_rt_product, &h,
		    &blk, &err) == 0 && strcmp(h.unit_code, "796") == 0 &&
		    h.nprops == 2 && strcmp(h.props[0].value, "ЗУБР") == 0,
		    "packed full decode");
		free(blk);
		/* A record shorter than the table: later fields zero. */
		ok(fx_rec_decode_packed(b.p, 5, &fx_rt_product_head, &h,
		    &blk, &err) == 0 && strcmp(h.id, "p-1") == 0 &&
		    h.article[0] == '\0' && h.barcode[0] == '\0' &&
		    h.deleted == 0 && h.gen == 0, "older record: zero values");
		free(blk);
		blk = NULL;
		b.p[1] = 0x7f;		/* id longer than the record */
		ok(fx_rec_decode_packed(b.p, b.len, &fx_rt_product_head, &h,
		    &blk, &err) == -1 && blk == NULL &&
		    strstr(err.msg, "damaged") != NULL,
		    "packed head: damage refused");
		b.p[1] = 3;
	}

	/* An older record (fewer fields) reads with zero values. */
	memset(&e, 0, sizeof(e));
	e.id = "e"; e.dealer = "d"; e.name = "n"; e.full_name = "";
	e.inn = "7707083893"; e.kpp = ""; e.address = ""; e.head = "";
	e.contract = ""; e.contract_expires = ""; e.price_type = "";
	e.credit_limit = -5; e.default_discount = 750; e.blocked = 1;
	fx_rec_encode(&b, &fx_rt_entity, &e);
	{
		struct fx_entity f;

		ok(fx_rec_decode(b.p, b.len, &fx_rt_entity, &f, &err) == 0 &&
		    f.credit_limit == -5 && f.default_discount == 750 &&
		    f.blocked == 1, "negative and small integers");
		fx_entity_release(&f);
		/* Cut after the first three strings: the rest defaults. */
		len = 1 + 2 + 2 + 2;
		ok(fx_rec_decode(b.p, len, &fx_rt_entity, &f, &err) == 0 &&
		    strcmp(f.name, "n") == 0 && f.inn[0] == '\0' &&
		    f.blocked == 0, "older, shorter record reads");
		fx_entity_release(&f);
	}

	/* A newer record is refused, not misread. */
	b.p[0] = (char)(fx_rt_entity.version + 1);
	{
		struct fx_entity f;

		ok(fx_rec_decode(b.p, b.len, &fx_rt_entity, &f, &err) == -1,
		    "newer version refused");
		ok(strstr(err.msg, "newer than this formix") != NULL,
		    "says why: %s", err.msg);
	}

	/* Damage: a string length past the end. */
	fx_rec_encode(&b, &fx_rt_product, &p);
	b.p[1] = 0x7f;
	ok(fx_rec_decode(b.p, 6, &fx_rt_product, &q, &err) == -1 &&
	    strstr(err.msg, "damaged") != NULL, "damaged record refused");
	ok(fx_rec_decode(b.p, 0, &fx_rt_product, &q, &err) == -1,
	    "empty record refused");

	fx_buf_release(&b);
	fx_buf_release(&t);
	/* fx_map_reserve keeps what is there and stops rehashing. */
	{
		struct fx_map m;
		char k[16];
		size_t i, cap;
		int ok1 = 1;

		memset(&m, 0, sizeof(m));
		*fx_map_put(&m, "a") = (void *)1;
		fx_map_reserve(&m, 1000);
		cap = m.cap;
		ok(cap >= 2002 && m.n == 1 && *fx_map_get(&m, "a") == (void *)1,
		    "map reserve keeps the keys");
		for (i = 0; i < 1000; i++) {
			snprintf(k, sizeof(k), "k%zu", i);
			*fx_map_put(&m, k) = (void *)(i + 2);
		}
		for (i = 0; i < 1000; i++) {
			snprintf(k, sizeof(k), "k%zu", i);
			if (fx_map_get(&m, k) == NULL ||
			    *fx_map_get(&m, k) != (void *)(i + 2))
				ok1 = 0;
		}
		ok(ok1 && m.n == 1001, "map reserve: all keys found");
		ok(m.cap == cap, "map reserve: no growth up to n");
		fx_map_release(&m, NULL);
	}
	return done_testing();
}
